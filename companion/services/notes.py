"""The reflection / integration note (CLINICAL.md §6): a draft saved as it is typed, pre-filled
from the session; signed by the physician with the guide named; locked once signed (here and by
database triggers); corrections are addenda with author and time.

Content is one JSON object with the keys of `empty_content()`. `save_draft` takes any subset of
them, validates each, and merges it over the stored draft, so an autosave of one field never
clobbers another.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.services.note_prefill import prefill
from companion.storage.database import Database
from companion.storage.models import (
    NoteAddendum,
    ReflectionNote,
    Role,
    SessionStatus,
    Staff,
    TreatmentSession,
)
from companion.text import clean_text, fold

THEME_TAGS = ("grief", "fear", "connection", "body", "memory", "insight", "joy", "relationships")
PRACTICES = ("meditation", "creative work", "journaling")
SEVERITIES = ("mild", "moderate", "severe")
PLANS = ("continue", "pause", "course complete")
RATINGS = ("intensity", "mood_post", "anxiety_post")
# Free-text fields and their length limits; single-line ones refuse line breaks.
TEXT_LIMITS = {
    "intention": 2000,
    "timeline": 8000,
    "vitals_summary": 2000,
    "centering": 1000,
    "observations": 8000,
    "experience": 8000,
    "tone": 200,
    "challenges": 8000,
    "insights": 8000,
    "body": 4000,
    "music_vr": 500,
    "integration_plan": 4000,
}
SINGLE_LINE = frozenset({"tone", "music_vr"})
MAX_TAG_LEN = 40
MAX_TAGS = 16
MAX_ADVERSE_EVENTS = 20
MAX_ADDENDUM_LEN = 4000
NEXT_INTEGRATION_MAX_DAYS = 366
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def empty_content() -> dict[str, Any]:
    content: dict[str, Any] = dict.fromkeys(TEXT_LIMITS, "")
    content |= dict.fromkeys(RATINGS)
    content |= {
        "themes": [],
        "practices": [],
        "adverse_events": [],
        "next_integration": None,
        "physician_plan": None,
    }
    return content


def content_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON (sorted keys, ASCII), as the demo seeder also computes it."""
    return hashlib.sha256(json.dumps(dict(content), sort_keys=True).encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Addendum:
    text: str
    author: str
    written_at: datetime


@dataclass(frozen=True)
class NoteState:
    id: int
    session_id: int
    status: str  # "draft" or "signed"
    content: dict[str, Any]  # a copy; changing it changes nothing stored
    updated_at: datetime
    updated_by: str
    guide_id: int | None
    guide: str | None
    signed_at: datetime | None
    signed_by: str | None
    content_sha256: str | None
    addenda: tuple[Addendum, ...]

    @property
    def signed(self) -> bool:
        return self.status == "signed"


# --- validation -------------------------------------------------------------------------------


def validate_content(patch: Mapping[str, object], session_day: date) -> dict[str, Any]:
    """Each given field checked and cleaned; an unknown key or a bad value is a FieldError."""
    known = empty_content()
    clean: dict[str, Any] = {}
    for key, value in patch.items():
        if key not in known:
            raise FieldError(str(key), "This is not a field of the note.")
        clean[key] = _validate_field(key, value, session_day)
    return clean


def _validate_field(key: str, value: object, session_day: date) -> Any:
    if key in TEXT_LIMITS:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise FieldError(key, "Expected text.")
        return clean_text(
            key,
            value,
            max_len=TEXT_LIMITS[key],
            required=False,
            multiline=key not in SINGLE_LINE,
        )
    if key in RATINGS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise FieldError(key, "Choose a whole number from 0 to 10, or leave it blank.")
        return value
    if key == "themes":
        return _tags(key, value, allowed=None)
    if key == "practices":
        return _tags(key, value, allowed=PRACTICES)
    if key == "adverse_events":
        return _adverse_events(value)
    if key == "next_integration":
        return _next_date(value, session_day)
    if key == "physician_plan":
        if value is None or value in PLANS:
            return value
        raise FieldError(key, "Choose continue, pause or course complete.")
    raise AssertionError(key)  # every key of empty_content() is handled above


def _tags(key: str, value: object, allowed: tuple[str, ...] | None) -> list[str]:
    if not isinstance(value, list | tuple):
        raise FieldError(key, "Expected a list of tags.")
    if len(value) > MAX_TAGS:
        raise FieldError(key, f"At most {MAX_TAGS} tags.")
    seen: set[str] = set()
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise FieldError(key, "Each tag is a short piece of text.")
        tag = clean_text(key, item, max_len=MAX_TAG_LEN, required=True)
        if allowed is not None and tag not in allowed:
            raise FieldError(key, f"Choose from: {', '.join(allowed)}.")
        if fold(tag) not in seen:  # "Grief" and "grief" are one theme
            seen.add(fold(tag))
            tags.append(tag)
    return tags


def _adverse_events(value: object) -> list[dict[str, Any]]:
    key = "adverse_events"
    if not isinstance(value, list | tuple):
        raise FieldError(key, "Expected a list of adverse events.")
    if len(value) > MAX_ADVERSE_EVENTS:
        raise FieldError(key, f"At most {MAX_ADVERSE_EVENTS} adverse events.")
    events: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, Mapping) or not set(item) <= {"description", "severity", "sae"}:
            raise FieldError(key, "Each adverse event has a description, severity and SAE flag.")
        description = item.get("description", "")
        if not isinstance(description, str):
            raise FieldError(key, "Describe each adverse event in words.")
        description = clean_text(key, description, max_len=500, required=True)
        severity = item.get("severity")
        if severity is not None and severity not in SEVERITIES:
            raise FieldError(key, "Severity is mild, moderate or severe.")
        sae = item.get("sae", False)
        if not isinstance(sae, bool):
            raise FieldError(key, "Mark whether it was a serious adverse event (yes or no).")
        events.append({"description": description, "severity": severity, "sae": sae})
    return events


def _next_date(value: object, session_day: date) -> str | None:
    key = "next_integration"
    if value is None or value == "":
        return None
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise FieldError(key, "Not a calendar date; use YYYY-MM-DD.") from None
    else:
        raise FieldError(key, "Use a date written YYYY-MM-DD.")
    latest = session_day + timedelta(days=NEXT_INTEGRATION_MAX_DAYS)
    if not session_day <= day <= latest:
        raise FieldError(
            key, "The next integration session is on or after this session's day, within a year."
        )
    return day.isoformat()


def check_ready_to_sign(content: Mapping[str, Any]) -> None:
    """What signing needs beyond a valid draft; a FieldError names the field to complete."""
    if content.get("physician_plan") not in PLANS:
        raise FieldError("physician_plan", "Choose the plan (continue, pause or course complete).")
    for event in content.get("adverse_events") or []:
        if event.get("severity") not in SEVERITIES:
            raise FieldError("adverse_events", "Grade every adverse event before signing.")


# --- service ----------------------------------------------------------------------------------


class NoteService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def peek(self, session_id: int) -> NoteState | None:
        """The note if one exists; never creates one (for screens opened before discharge)."""
        with self._db.transaction() as s:
            note = _note(s, session_id)
            return None if note is None else _state(s, note)

    def draft(self, actor: Actor, session_id: int) -> NoteState:
        """The note; on first open after discharge a new draft pre-filled from the session."""
        with self._db.transaction() as s:
            note = _note(s, session_id) or self._create(s, actor, session_id)
            return _state(s, note)

    def save_draft(self, actor: Actor, session_id: int, content: Mapping[str, object]) -> NoteState:
        """Validate and merge `content` (any subset of the fields) into the draft; one commit."""
        require(actor, Action.WRITE_NOTE)
        now = self._clock.now()
        with self._db.transaction() as s:
            note = _note(s, session_id) or self._create(s, actor, session_id)
            if note.status == "signed":
                raise NotAllowedNow("This note is signed and locked; add an addendum instead.")
            ts = s.get_one(TreatmentSession, session_id)
            clean = validate_content(content, ts.started_at.date())
            merged = {**empty_content(), **note.content, **clean}
            changed = sorted(k for k in clean if note.content.get(k) != merged[k])
            if not changed:
                return _state(s, note)
            if "physician_plan" in changed and not actor.may(Action.SIGN_NOTE):
                raise PermissionDenied("Only a physician sets the physician's plan.")
            note.content = merged  # a new object, so the JSON column is written
            note.updated_at, note.updated_by_id = now, actor.id
            audit(
                s,
                now,
                actor,
                "update",
                "reflection_note",
                note.id,
                session_id=session_id,
                fields=changed,
            )
            return _state(s, note)

    def sign(self, actor: Actor, session_id: int, guide_id: int | None = None) -> NoteState:
        """Physician only, after discharge: lock the note, name the guide, close the session."""
        require(actor, Action.SIGN_NOTE)
        now = self._clock.now()
        with self._db.transaction() as s:
            note = _note(s, session_id)
            if note is None:
                raise NotAllowedNow("There is no note to sign yet.")
            if note.status == "signed":
                raise NotAllowedNow("This note is already signed.")
            ts = s.get_one(TreatmentSession, session_id)
            if ts.discharged_at is None:
                raise NotAllowedNow("Discharge the patient before signing the note.")
            check_ready_to_sign(note.content)
            guide = s.get(Staff, guide_id or note.guide_id or ts.guide_id or -1)
            if guide is None or guide.role != Role.GUIDE:
                raise FieldError("guide", "Name the guide who sat with the patient.")
            note.guide_id = guide.id
            note.content_sha256 = content_hash(note.content)
            note.status = "signed"
            note.signed_at, note.signed_by_id = now, actor.id
            note.updated_at, note.updated_by_id = now, actor.id
            ts.status, ts.ended_at = SessionStatus.COMPLETED, now
            ts.physician_id = ts.physician_id or actor.id
            audit(
                s,
                now,
                actor,
                "sign",
                "reflection_note",
                note.id,
                session_id=session_id,
                guide_id=guide.id,
                sha256=note.content_sha256,
            )
            return _state(s, note)

    def add_addendum(self, actor: Actor, session_id: int, text: str) -> NoteState:
        """A correction or later addition to a signed note, with its author and time."""
        require(actor, Action.ADD_ADDENDUM)
        text = clean_text("addendum", text, max_len=MAX_ADDENDUM_LEN, required=True, multiline=True)
        now = self._clock.now()
        with self._db.transaction() as s:
            note = _note(s, session_id)
            if note is None or note.status != "signed":
                raise NotAllowedNow("Addenda are for signed notes; edit the draft instead.")
            row = NoteAddendum(note_id=note.id, text=text, author_id=actor.id, written_at=now)
            s.add(row)
            s.flush()
            audit(s, now, actor, "create", "note_addendum", row.id, session_id=session_id)
            return _state(s, note)

    def _create(self, s: Session, actor: Actor, session_id: int) -> ReflectionNote:
        require(actor, Action.WRITE_NOTE)
        ts = s.get_one(TreatmentSession, session_id)
        if ts.status == SessionStatus.ABANDONED:
            raise NotAllowedNow("This session was abandoned; it has no reflection note.")
        if ts.discharged_at is None:
            raise NotAllowedNow("The reflection note opens after discharge.")
        now = self._clock.now()
        note = ReflectionNote(
            session_id=session_id,
            content={**empty_content(), **prefill(s, ts)},
            status="draft",
            created_at=now,
            created_by_id=actor.id,
            updated_at=now,
            updated_by_id=actor.id,
            guide_id=ts.guide_id,
        )
        s.add(note)
        s.flush()
        audit(s, now, actor, "create", "reflection_note", note.id, session_id=session_id)
        return note


def _note(s: Session, session_id: int) -> ReflectionNote | None:
    return s.scalar(select(ReflectionNote).where(ReflectionNote.session_id == session_id))


def _state(s: Session, note: ReflectionNote) -> NoteState:
    def name(staff_id: int | None) -> str | None:
        staff = s.get(Staff, staff_id) if staff_id is not None else None
        return staff.display_name if staff is not None else None

    addenda = s.scalars(
        select(NoteAddendum)
        .where(NoteAddendum.note_id == note.id)
        .order_by(NoteAddendum.written_at, NoteAddendum.id)
    )
    return NoteState(
        id=note.id,
        session_id=note.session_id,
        status=note.status,
        content={**empty_content(), **json.loads(json.dumps(note.content))},
        updated_at=note.updated_at,
        updated_by=name(note.updated_by_id) or "?",
        guide_id=note.guide_id,
        guide=name(note.guide_id),
        signed_at=note.signed_at,
        signed_by=name(note.signed_by_id),
        content_sha256=note.content_sha256,
        addenda=tuple(Addendum(a.text, name(a.author_id) or "?", a.written_at) for a in addenda),
    )
