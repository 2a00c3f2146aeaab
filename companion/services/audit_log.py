"""Reading the audit trail (administrators only), and recording that a past record was opened.

Queries use bound parameters only and are paged, so a year of events never loads at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from companion.clock import Clock
from companion.errors import FieldError, NotAllowedNow
from companion.roles import Action, Actor, require
from companion.services.audit import audit
from companion.storage.database import Database
from companion.storage.models import AuditEvent, Staff, TreatmentSession

PAGE_SIZE = 200
MAX_PAGE_SIZE = 1000
# SQLite integers are 64-bit; anything larger is a typing slip, not an id.
MAX_ID = 2**63 - 1
# Filter by "no actor": events without a signed-in person (failed sign-ins, the first admin).
NO_ACTOR = 0


@dataclass(frozen=True)
class AuditFilter:
    """All fields optional; `day_to` is inclusive. Times are compared in the given UTC offset."""

    actor_id: int | None = None
    action: str | None = None
    entity: str | None = None
    session_id: int | None = None
    day_from: date | None = None
    day_to: date | None = None
    tz_offset: timedelta = timedelta(0)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: int | None
    session_id: int | None
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditRow, ...]
    total: int
    offset: int


def parse_id(field: str, text: str) -> int | None:
    """A row id typed into a filter box: empty means "any"; otherwise a positive whole number."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise FieldError(field, "Type a session number using digits only, or leave it empty.")
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise FieldError(field, "No session has that number.")
    return value


def check_filter(f: AuditFilter) -> None:
    if f.day_from is not None and f.day_to is not None and f.day_from > f.day_to:
        raise FieldError("day_to", "The end date is before the start date.")
    for field, value in (("actor_id", f.actor_id), ("session_id", f.session_id)):
        if value is not None and not 0 <= value <= MAX_ID:
            raise FieldError(field, "No such number.")
    for field, text in (("action", f.action), ("entity", f.entity)):
        if text is not None and len(text) > 40:
            raise FieldError(field, "Too long: at most 40 characters.")


class AuditService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def query(
        self, actor: Actor, f: AuditFilter, offset: int = 0, limit: int = PAGE_SIZE
    ) -> AuditPage:
        """Newest first. Raises FieldError for an impossible filter (e.g. end before start)."""
        require(actor, Action.VIEW_AUDIT)
        check_filter(f)
        offset = max(0, offset)
        limit = min(max(1, limit), MAX_PAGE_SIZE)
        who = aliased(Staff)
        where = self._conditions(f)
        base = (
            select(AuditEvent, who.display_name)
            .outerjoin(who, who.id == AuditEvent.actor_id)
            .where(*where)
        )
        count = select(func.count(AuditEvent.id)).where(*where)
        page = base.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)
        with self._db.transaction() as s:
            total = int(s.scalar(count) or 0)
            rows = tuple(_row(ev, name) for ev, name in s.execute(page))
        return AuditPage(rows, total, offset)

    def choices(self, actor: Actor) -> tuple[list[str], list[str]]:
        """The actions and entities present in the trail, for the filter lists."""
        require(actor, Action.VIEW_AUDIT)
        with self._db.transaction() as s:
            actions = list(
                s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
            )
            entities = list(
                s.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))
            )
        return actions, entities

    def record_view(self, actor: Actor, session_id: int) -> None:
        """Audit that `actor` opened the record of a past session (called by the review screens)."""
        require(actor, Action.VIEW_RECORDS)
        with self._db.transaction() as s:
            if s.get(TreatmentSession, session_id) is None:
                raise NotAllowedNow(f"Session #{session_id} does not exist.")
            audit(s, self._clock.now(), actor, "view", "session", session_id, session_id=session_id)

    @staticmethod
    def _conditions(f: AuditFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if f.actor_id == NO_ACTOR:
            where.append(AuditEvent.actor_id.is_(None))
        elif f.actor_id is not None:
            where.append(AuditEvent.actor_id == f.actor_id)
        if f.action:
            where.append(AuditEvent.action == f.action)
        if f.entity:
            where.append(AuditEvent.entity == f.entity)
        if f.session_id is not None:
            where.append(AuditEvent.session_id == f.session_id)
        start = _day_start(f.day_from, f.tz_offset)
        if start is not None:
            where.append(AuditEvent.at >= start)
        end = _day_start(f.day_to, f.tz_offset, plus_days=1)
        if end is not None:
            where.append(AuditEvent.at < end)
        return where


def _day_start(day: date | None, tz: timedelta, plus_days: int = 0) -> datetime | None:
    """Local midnight of `day` (+ days) in UTC; None (no bound) past the calendar's ends."""
    if day is None:
        return None
    try:
        return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=plus_days) - tz
    except OverflowError:
        return None


def _row(ev: AuditEvent, actor_name: str | None) -> AuditRow:
    detail = json.dumps(ev.detail, ensure_ascii=False, sort_keys=True) if ev.detail else ""
    return AuditRow(
        ev.id,
        ev.at,
        ev.actor_id,
        actor_name or ("—" if ev.actor_id is None else f"#{ev.actor_id}"),
        ev.action,
        ev.entity,
        ev.entity_id,
        ev.session_id,
        detail,
    )
