"""The reflection note: pre-fill, autosave commits, signing locks it (service and database),
addenda, content hash, and validation of every field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.notes import TEXT_LIMITS, content_hash, validate_content
from companion.storage.models import (
    AuditEvent,
    NoteAddendum,
    ReflectionNote,
    SessionStatus,
    TreatmentSession,
)
from tests.unit.services.test_discharge import READY, dosed_session


def discharged_session(services: Services, guide: Actor, physician: Actor) -> int:
    sid = dosed_session(services, guide, physician)
    services.discharge.assess(guide, sid, READY)
    services.discharge.discharge(guide, sid)
    return sid


def test_no_note_before_discharge(services: Services, guide: Actor, physician: Actor) -> None:
    sid = dosed_session(services, guide, physician)
    assert services.notes.peek(sid) is None
    with pytest.raises(NotAllowedNow):
        services.notes.draft(guide, sid)
    with pytest.raises(NotAllowedNow):
        services.notes.save_draft(guide, sid, {"experience": "x"})


def test_new_draft_is_prefilled_from_the_session(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(services, guide, physician)
    note = services.notes.draft(guide, sid)
    c = note.content
    assert note.status == "draft" and note.guide_id == guide.id
    assert c["intention"] == "To meet my sadness with kindness."
    timeline = c["timeline"].splitlines()
    assert any(line.startswith("T+0 min") and "ketamine 50 mg IM" in line for line in timeline)
    assert any("T+40 min" in line and "MOAA/S 4, CADSS-6 6, nausea 2" in line for line in timeline)
    assert any("T+23 min" in line and "vomiting" in line for line in timeline)
    assert "Discharged, PADSS 8/8" in timeline[-1]
    assert "Baseline" in c["vitals_summary"] and "BP 120/78" in c["vitals_summary"]
    assert "highest BP 140/78 at T+5 min" in c["vitals_summary"]
    assert c["adverse_events"] == [
        {
            "description": "vomiting — once, settled after ondansetron",
            "severity": None,
            "sae": False,
        }
    ]
    assert "T+23 min  vomiting" in c["observations"]
    # Opening again returns the same draft, not a second one.
    assert services.notes.draft(physician, sid).id == note.id


def test_each_autosave_commits_and_merges(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = discharged_session(services, guide, physician)
    services.notes.draft(guide, sid)
    services.notes.save_draft(guide, sid, {"experience": "Drifting"})
    # Read through a fresh connection: the save is already committed.
    with services.db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT json_extract(content, '$.experience') FROM reflection_note")
        ).scalar()
    assert stored == "Drifting"
    clock.advance(1)
    services.notes.save_draft(guide, sid, {"experience": "Drifting through memories"})
    state = services.notes.save_draft(guide, sid, {"intensity": 7, "themes": ["grief", "Grief"]})
    assert state.content["experience"] == "Drifting through memories"
    assert state.content["intensity"] == 7
    assert state.content["themes"] == ["grief"]
    assert state.updated_at == clock.now()
    with services.db.transaction() as s:
        updates = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.session_id == sid)
        ).all()
    assert [u.detail["fields"] for u in updates] == [
        ["experience"],
        ["experience"],
        ["intensity", "themes"],
    ]
    # An unchanged save writes nothing and audits nothing.
    services.notes.save_draft(guide, sid, {"intensity": 7})
    with services.db.transaction() as s:
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()) == 3


def test_only_a_physician_sets_the_plan(services: Services, guide: Actor, physician: Actor) -> None:
    sid = discharged_session(services, guide, physician)
    with pytest.raises(PermissionDenied):
        services.notes.save_draft(guide, sid, {"physician_plan": "continue"})
    state = services.notes.save_draft(physician, sid, {"physician_plan": "continue"})
    assert state.content["physician_plan"] == "continue"


def _ready_to_sign(services: Services, physician: Actor, sid: int) -> None:
    services.notes.save_draft(
        physician,
        sid,
        {
            "physician_plan": "continue",
            "adverse_events": [
                {"description": "vomiting once", "severity": "mild", "sae": False},
            ],
        },
    )


def test_sign_requires_physician_plan_and_graded_events(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(services, guide, physician)
    services.notes.draft(guide, sid)
    with pytest.raises(PermissionDenied):
        services.notes.sign(guide, sid)
    with pytest.raises(FieldError) as err:
        services.notes.sign(physician, sid)
    assert err.value.field == "physician_plan"
    services.notes.save_draft(physician, sid, {"physician_plan": "pause"})
    with pytest.raises(FieldError) as err:
        services.notes.sign(physician, sid)
    assert err.value.field == "adverse_events"  # the pre-filled event is not graded yet


def test_sign_locks_the_note_in_the_service_and_the_database(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = discharged_session(services, guide, physician)
    services.notes.draft(guide, sid)
    services.notes.save_draft(guide, sid, {"experience": "Warmth and distance."})
    _ready_to_sign(services, physician, sid)
    clock.advance(120)
    signed = services.notes.sign(physician, sid)
    assert signed.signed and signed.signed_at == clock.now()
    assert signed.signed_by == physician.display_name and signed.guide == guide.display_name
    assert signed.content_sha256 == content_hash(signed.content)
    with services.db.transaction() as s:
        ts = s.get_one(TreatmentSession, sid)
        assert ts.status == SessionStatus.COMPLETED and ts.ended_at == clock.now()

    with pytest.raises(NotAllowedNow):
        services.notes.save_draft(guide, sid, {"experience": "changed later"})
    with pytest.raises(NotAllowedNow):
        services.notes.sign(physician, sid)
    # Even a raw UPDATE or DELETE, bypassing the app, is refused by the database.
    locked = pytest.raises(DBAPIError, match="a signed note is locked")
    with locked, services.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE reflection_note SET content = '{}' WHERE session_id = :s"), {"s": sid}
        )
    locked = pytest.raises(DBAPIError, match="a signed note is locked")
    with locked, services.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM reflection_note WHERE session_id = :s"), {"s": sid})
    after = services.notes.peek(sid)
    assert after is not None and after.content["experience"] == "Warmth and distance."
    assert content_hash(after.content) == signed.content_sha256


def _stored_flag(services: Services, sid: int) -> bool:
    """The note's adverse-event flag as History's filter reads it, through a fresh connection."""
    with services.db.engine.connect() as conn:
        value = conn.execute(
            text("SELECT has_adverse_events FROM reflection_note WHERE session_id = :s"),
            {"s": sid},
        ).scalar_one()
    return bool(value)


def test_adverse_event_flag_follows_every_saved_content(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(services, guide, physician)
    # The new draft is pre-filled with the session's adverse observation (vomiting).
    assert services.notes.draft(guide, sid).content["adverse_events"]
    assert _stored_flag(services, sid)
    services.notes.save_draft(guide, sid, {"adverse_events": []})
    assert not _stored_flag(services, sid)
    services.notes.save_draft(guide, sid, {"experience": "Calm."})  # another field: unchanged
    assert not _stored_flag(services, sid)
    first = {"description": "Transient hypertension", "severity": "mild", "sae": False}
    second = {"description": "Emergence reaction", "severity": "moderate", "sae": False}
    services.notes.save_draft(guide, sid, {"adverse_events": [first, second]})
    assert _stored_flag(services, sid)
    services.notes.save_draft(guide, sid, {"adverse_events": [second]})
    assert _stored_flag(services, sid)
    services.notes.save_draft(guide, sid, {"adverse_events": []})
    assert not _stored_flag(services, sid)
    _ready_to_sign(services, physician, sid)  # lists one graded event
    assert _stored_flag(services, sid)
    assert services.notes.sign(physician, sid).signed
    assert _stored_flag(services, sid)
    # A refused save changes nothing, the flag included.
    with pytest.raises(NotAllowedNow):
        services.notes.save_draft(guide, sid, {"adverse_events": []})
    assert _stored_flag(services, sid)


def test_a_draft_without_adverse_events_is_not_flagged(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = discharged_session(services, guide, physician)
    # The first save creates the draft (pre-filled with an event) and clears the list at once.
    services.notes.save_draft(guide, sid, {"adverse_events": [], "experience": "Peaceful."})
    assert not _stored_flag(services, sid)
    with pytest.raises(FieldError):  # refused at the field, so nothing is stored
        services.notes.save_draft(guide, sid, {"adverse_events": [{"description": ""}]})
    assert not _stored_flag(services, sid)


def test_addenda_only_on_signed_notes_and_never_changed(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = discharged_session(services, guide, physician)
    services.notes.draft(guide, sid)
    with pytest.raises(NotAllowedNow):
        services.notes.add_addendum(guide, sid, "too early")
    _ready_to_sign(services, physician, sid)
    services.notes.sign(physician, sid)
    clock.advance(3600)
    with pytest.raises(FieldError):
        services.notes.add_addendum(guide, sid, "   ")
    state = services.notes.add_addendum(guide, sid, "Patient called: slept well, no nausea.")
    (addendum,) = state.addenda
    assert addendum.author == guide.display_name and addendum.written_at == clock.now()
    assert addendum.text == "Patient called: slept well, no nausea."
    refused = pytest.raises(DBAPIError, match="addenda cannot be changed")
    with refused, services.db.engine.begin() as conn:
        conn.execute(text("UPDATE note_addendum SET text = 'x'"))
    with services.db.transaction() as s:
        assert s.scalars(select(NoteAddendum.text)).one() == addendum.text
        note = s.scalars(select(ReflectionNote)).one()
        assert note.status == "signed"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"intensity": 11}, "intensity"),
        ({"mood_post": -1}, "mood_post"),
        ({"anxiety_post": "5"}, "anxiety_post"),
        ({"intensity": True}, "intensity"),
        ({"themes": "grief"}, "themes"),
        ({"themes": [""]}, "themes"),
        ({"practices": ["skydiving"]}, "practices"),
        ({"adverse_events": [{"description": "x", "severity": "fatal"}]}, "adverse_events"),
        ({"adverse_events": [{"description": "x", "sae": "yes"}]}, "adverse_events"),
        ({"adverse_events": [{"description": ""}]}, "adverse_events"),
        ({"adverse_events": [{"what": "x"}]}, "adverse_events"),
        ({"physician_plan": "stop"}, "physician_plan"),
        ({"next_integration": "2026-02-30"}, "next_integration"),
        ({"next_integration": "next week"}, "next_integration"),
        ({"next_integration": "2025-01-01"}, "next_integration"),
        ({"tone": "calm\nthen sad"}, "tone"),
        ({"experience": 42}, "experience"),
        ({"unknown": "x"}, "unknown"),
    ],
)
def test_bad_content_is_refused_at_the_field(patch: dict[str, object], field: str) -> None:
    with pytest.raises(FieldError) as err:
        validate_content(patch, date(2026, 3, 2))
    assert err.value.field == field


def test_good_content_is_cleaned() -> None:
    clean = validate_content(
        {
            "next_integration": " 2026-03-09 ",
            "practices": ["journaling"],
            "themes": ["grief", " fear of falling "],
            "adverse_events": [{"description": " nausea ", "severity": "mild", "sae": False}],
            "experience": None,
        },
        date(2026, 3, 2),
    )
    assert clean["next_integration"] == "2026-03-09"
    assert clean["themes"] == ["grief", "fear of falling"]
    assert clean["adverse_events"][0]["description"] == "nausea"
    assert clean["experience"] == ""


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    field=st.sampled_from(sorted(TEXT_LIMITS)),
    value=st.text(max_size=300) | st.text(min_size=8000, max_size=8100, alphabet="ab"),
)
def test_fuzzed_text_is_stored_exactly_as_cleaned_or_refused(
    services: Services, guide: Actor, physician: Actor, field: str, value: str
) -> None:
    sid = _shared_draft(services, guide, physician)
    try:
        state = services.notes.save_draft(guide, sid, {field: value})
    except FieldError as exc:
        assert exc.field == field
        return
    expected = validate_content({field: value}, date(2026, 3, 2))[field]
    assert state.content[field] == expected
    assert services.notes.peek(sid).content[field] == expected  # type: ignore[union-attr]


_DRAFTS: dict[int, tuple[Services, int]] = {}


def _shared_draft(services: Services, guide: Actor, physician: Actor) -> int:
    """One discharged session per test database (hypothesis re-runs the body many times)."""
    cached = _DRAFTS.get(id(services))
    if cached is None or cached[0] is not services:
        cached = (services, discharged_session(services, guide, physician))
        _DRAFTS[id(services)] = cached
    return cached[1]


@given(
    rating=st.one_of(st.none(), st.integers(-5, 15), st.booleans(), st.text(max_size=3)),
    plan=st.one_of(st.none(), st.sampled_from(["continue", "pause", "course complete", "x", ""])),
)
def test_fuzzed_ratings_and_plan_are_valid_or_refused(rating: Any, plan: Any) -> None:
    try:
        clean = validate_content({"intensity": rating, "physician_plan": plan}, date(2026, 3, 2))
    except FieldError as exc:
        assert exc.field in ("intensity", "physician_plan")
        return
    assert clean["intensity"] is None or 0 <= clean["intensity"] <= 10
    assert not isinstance(clean["intensity"], bool)
    assert clean["physician_plan"] in (None, "continue", "pause", "course complete")


def test_next_integration_bounds(services: Services) -> None:
    day = date(2026, 3, 2)
    assert validate_content({"next_integration": day.isoformat()}, day)["next_integration"]
    late = day + timedelta(days=367)
    with pytest.raises(FieldError):
        validate_content({"next_integration": late.isoformat()}, day)
