"""The review service: search, a session's record, a patient's course, and their audit rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from companion.errors import FieldError, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.record_types import SessionFilters
from companion.storage.models import (
    AuditEvent,
    Indication,
    Observation,
    Patient,
    ReflectionNote,
    Role,
    SessionStatus,
    TreatmentSession,
)
from companion.text import fold
from tests.conftest import START
from tests.unit.export.factory import (
    ACK_NOTE,
    ADDENDUM_TEXT,
    INTENTION,
    LOT,
    OBSERVATION_TEXT,
    add_patient,
    make_session,
)

DAY = timedelta(days=1)


@pytest.fixture
def clinic(services: Services, physician: Actor, guide: Actor) -> dict[str, int]:
    """Three patients, six sessions with different filters' worth of differences."""
    zoe = add_patient(services, guide, "KC-100", "Zoë", "Dubois", Indication.DEPRESSION)
    tomas = add_patient(services, guide, "KC-200", "Tomás", "Álvarez", Indication.PTSD)
    mei = add_patient(services, guide, "KC-300", "Mei", "Nakamura", Indication.ANXIETY)
    t = START - 30 * DAY
    ids = {
        "zoe1": make_session(services, zoe, physician, guide, t).session_id,
        "zoe2": make_session(
            services, zoe, physician, guide, t + 7 * DAY, number=2, adverse_observation=True
        ).session_id,
        "tomas1": make_session(
            services, tomas, physician, guide, t + 1 * DAY, note="draft", scale="pcl5"
        ).session_id,
        "tomas2": make_session(
            services,
            tomas,
            physician,
            guide,
            t + 8 * DAY,
            number=2,
            adverse_in_note=True,
            scale="pcl5",
            scale_total=40,
        ).session_id,
        "mei1": make_session(
            services,
            mei,
            physician,
            guide,
            t + 2 * DAY,
            note=None,
            full=False,
            status=SessionStatus.ABANDONED,
        ).session_id,
        "mei2": make_session(
            services,
            mei,
            physician,
            guide,
            t + 9 * DAY,
            note=None,
            full=False,
            status=SessionStatus.IN_PROGRESS,
        ).session_id,
    }
    return ids | {"zoe": zoe, "tomas": tomas, "mei": mei}


def _ids(services: Services, **kw: object) -> set[int]:
    page = services.records.search_sessions(SessionFilters(**kw))  # type: ignore[arg-type]
    return {r.id for r in page.rows}


def test_filters_find_what_they_should(services: Services, clinic: dict[str, int]) -> None:
    c = clinic
    assert _ids(services) == {c["zoe1"], c["zoe2"], c["tomas1"], c["tomas2"], c["mei1"], c["mei2"]}
    for text in ("zoe", "ZOË", "dubois", "kc-100", " Dub "):
        assert _ids(services, patient_text=text) == {c["zoe1"], c["zoe2"]}, text
    assert _ids(services, patient_text="alvarez") == {c["tomas1"], c["tomas2"]}
    assert _ids(services, indication=Indication.PTSD) == {c["tomas1"], c["tomas2"]}
    # Adverse events come from an observation flag or from the note's list.
    assert _ids(services, adverse_events_only=True) == {c["zoe2"], c["tomas2"]}
    # Unsigned: a draft, or no note yet; an abandoned session needs no note.
    assert _ids(services, unsigned_only=True) == {c["tomas1"], c["mei2"]}
    t = START - 30 * DAY
    day1 = t.replace(hour=0, minute=0)
    assert _ids(services, since=day1 + DAY, until=day1 + 2 * DAY) == {c["tomas1"]}
    assert _ids(services, since=day1 + 7 * DAY) == {c["zoe2"], c["tomas2"], c["mei2"]}
    assert _ids(services, patient_text="zoe", adverse_events_only=True) == {c["zoe2"]}


def test_like_wildcards_in_search_text_are_literal(
    services: Services, clinic: dict[str, int]
) -> None:
    assert _ids(services, patient_text="%") == set()
    assert _ids(services, patient_text="_") == set()
    assert services.records.search_patients("%") == []
    assert [p.chart_number for p in services.records.search_patients("nakam")] == ["KC-300"]


def test_history_rows_say_note_state_and_adverse_events(
    services: Services, clinic: dict[str, int]
) -> None:
    rows = {r.id: r for r in services.records.search_sessions(SessionFilters()).rows}
    assert rows[clinic["zoe2"]].adverse_events and not rows[clinic["zoe1"]].adverse_events
    assert rows[clinic["tomas1"]].note_status == "draft"
    assert rows[clinic["mei2"]].note_status is None
    assert rows[clinic["zoe1"]].patient_name == "Zoë Dubois"
    assert services.records.count_sessions(SessionFilters(unsigned_only=True)) == 2


def test_sessions_come_in_pages_newest_first(
    services: Services, physician: Actor, guide: Actor
) -> None:
    pid = add_patient(services, guide)
    for i in range(230):
        make_session(services, pid, physician, guide, START - i * DAY, number=i + 1, full=False)
    seen: list[int] = []
    starts: list[datetime] = []
    offset, pages = 0, 0
    while True:
        page = services.records.search_sessions(SessionFilters(), offset, 100)
        seen += [r.id for r in page.rows]
        starts += [r.started_at for r in page.rows]
        pages += 1
        offset += len(page.rows)
        if not page.has_more:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 230
    assert starts == sorted(starts, reverse=True)
    with pytest.raises(FieldError):
        services.records.search_sessions(SessionFilters(), -1)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_search_text_is_safe_and_matches_only_folded_substrings(
    services: Services, clinic: dict[str, int], text: str
) -> None:
    found = services.records.search_patients(text)
    needle = fold(text.strip())
    for p in found:
        assert needle in fold(f"{p.family_name} {p.given_name} {p.chart_number}")
    page = services.records.search_sessions(SessionFilters(patient_text=text))
    assert {r.patient_id for r in page.rows} <= {p.id for p in found}


def test_session_record_holds_everything_entered(
    services: Services, clinic: dict[str, int], physician: Actor
) -> None:
    r = services.records.session_record(physician, clinic["zoe2"])
    assert r.patient.full_name == "Zoë Dubois" and r.number_in_course == 2
    assert r.guide == "Gina Guide" and r.physician == "Dr. Test Physician"
    assert r.check_in is not None and r.check_in.intention == INTENTION
    assert (
        r.check_in.medication_flags == ("lamotrigine",) and r.check_in.driver_name == "Chris Dubois"
    )
    assert [(s.scale, s.total) for s in r.scales] == [("phq9", 14)]
    assert r.centering[0].pauses == 1 and r.centering[0].guide == "Gina Guide"
    assert r.doses[0].lot_number == LOT and r.doses[0].administered_by == "Dr. Test Physician"
    assert [(v.context, v.systolic, v.diastolic) for v in r.vitals] == [
        ("baseline", 128, 79),
        ("checkpoint", 163, 101),
    ]
    assert r.vitals[1].flags == ("bp_rise",) and r.vitals[1].checkpoint_offset_min == 40.0
    assert r.minutes_since_t0(r.vitals[1].measured_at) == 40
    assert r.checkpoints[0].moaas == 4 and r.checkpoints[0].cadss_total == 9
    assert r.observations[0].text == OBSERVATION_TEXT and r.observations[0].adverse_event
    assert r.alerts[0].acknowledged_by == "Dr. Test Physician"
    assert r.alerts[0].acknowledgement_note == ACK_NOTE
    assert r.discharge is not None and r.discharge.padss == (1, 2, 2, 2)
    assert r.discharge.override_by == "Dr. Test Physician" and not r.discharge.criteria_met
    assert r.note is not None and r.note.signed_by == "Dr. Test Physician"
    assert r.note.content["intention"] == INTENTION
    assert [(a.text, a.author) for a in r.note.addenda] == [(ADDENDUM_TEXT, "Gina Guide")]


def _audit(services: Services, action: str) -> list[AuditEvent]:
    with services.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_opening_a_record_or_course_is_audited(
    services: Services, clinic: dict[str, int], staff_by_role: dict[Role, Actor]
) -> None:
    staff = staff_by_role[Role.STAFF]
    services.records.session_record(staff, clinic["zoe1"])
    services.records.patient_course(staff, clinic["zoe"])
    views = _audit(services, "view")
    assert [(v.actor_id, v.entity, v.entity_id, v.session_id) for v in views] == [
        (staff.id, "session", clinic["zoe1"], clinic["zoe1"]),
        (staff.id, "patient", clinic["zoe"], None),
    ]
    # Searching is not opening a record: no audit row.
    services.records.search_sessions(SessionFilters())
    assert len(_audit(services, "view")) == 2


def test_exports_are_audited_with_their_format_and_role_checked(
    services: Services, clinic: dict[str, int], staff_by_role: dict[Role, Actor]
) -> None:
    guide = staff_by_role[Role.GUIDE]
    services.records.record_for_export(guide, clinic["zoe1"], "fhir")
    services.records.record_for_command_line_export(clinic["zoe1"], "csv")
    rows = _audit(services, "export")
    assert [(r.actor_id, r.detail["format"], r.detail["via"]) for r in rows] == [
        (guide.id, "fhir", "app"),
        (None, "csv", "command line"),
    ]
    assert rows[1].detail["os_user"]
    with pytest.raises(PermissionDenied):
        services.records.record_for_export(staff_by_role[Role.ADMIN], clinic["zoe1"], "pdf")
    with pytest.raises(FieldError):
        services.records.record_for_export(guide, clinic["zoe1"], "docx")
    with pytest.raises(FieldError):
        services.records.session_record(guide, 987654)
    assert len(_audit(services, "export")) == 2


@contextmanager
def _count_queries(services: Services) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)


def test_record_loading_does_not_query_per_row(
    services: Services, physician: Actor, guide: Actor
) -> None:
    from companion.storage.models import Observation

    pid = add_patient(services, guide)
    small = make_session(services, pid, physician, guide, START).session_id
    big = make_session(services, pid, physician, guide, START + DAY, number=2)
    with services.db.transaction() as s:
        for i in range(60):
            s.add(
                Observation(
                    session_id=big.session_id,
                    tag="repositioned",
                    observed_at=big.t0 + timedelta(minutes=i),
                    recorded_at=big.t0,
                    recorded_by_id=guide.id + (i % 2) * (physician.id - guide.id),
                )
            )
    with _count_queries(services) as few:
        services.records.session_record(physician, small)
    with _count_queries(services) as many:
        record = services.records.session_record(physician, big.session_id)
    assert len(record.observations) == 61
    assert len(many) == len(few)


def test_patient_course_has_scores_ratings_and_treatment_count(
    services: Services, clinic: dict[str, int], physician: Actor, guide: Actor
) -> None:
    course = services.records.patient_course(physician, clinic["tomas"])
    assert course.patient.full_name == "Tomás Álvarez"
    assert [p.scores for p in course.points] == [{"pcl5": 14}, {"pcl5": 40}]
    assert [(p.mood_pre, p.mood_post, p.anxiety_pre, p.anxiety_post) for p in course.points] == [
        (3, 7, 6, 2),
        (3, 7, 6, 2),
    ]
    assert course.completed_treatments == 2
    mei = services.records.patient_course(physician, clinic["mei"])
    assert mei.completed_treatments == 0 and len(mei.points) == 2
    assert mei.points[0].scores == {} and mei.points[0].mood_post is None
    # A malformed rating in a draft note is left out, not plotted.
    odd = make_session(
        services, clinic["mei"], physician, guide, START, number=3, note="draft", mood_post="high"
    )
    points = services.records.patient_course(physician, clinic["mei"]).points
    assert next(p for p in points if p.session_id == odd.session_id).mood_post is None
    with pytest.raises(FieldError):
        services.records.patient_course(physician, 424242)


def test_latest_session_is_the_newest_completed(services: Services, clinic: dict[str, int]) -> None:
    assert services.records.latest_session_id() == clinic["tomas2"]
    assert services.records.latest_session_id(SessionStatus.IN_PROGRESS) == clinic["mei2"]


def test_dates_are_timezone_aware_utc(services: Services, clinic: dict[str, int]) -> None:
    rows = services.records.search_sessions(SessionFilters()).rows
    assert all(r.started_at.tzinfo is not None for r in rows)
    assert rows[0].started_at.utcoffset() == UTC.utcoffset(None)


# --- the adverse-event filter against a brute-force recomputation -----------------------------

_EVENT = {"description": "Vomiting", "severity": "mild", "sae": False}
_MISSING = "missing"  # the note's content has no adverse_events key at all
# Shapes the key may hold: only a non-empty list is an adverse event.
_NOTE_EVENTS: st.SearchStrategy[object] = st.sampled_from(
    [_MISSING, [], [_EVENT], [_EVENT, _EVENT], None, "vomiting", {}]
)
_SESSION = st.tuples(
    st.lists(st.booleans(), max_size=4),  # observations: adverse or not
    st.none()  # no note yet
    | st.tuples(
        st.sampled_from(["draft", "signed"]),
        _NOTE_EVENTS,  # events when the note is written
        st.none() | _NOTE_EVENTS,  # events after a later edit (drafts only)
    ),
)


@pytest.fixture
def two_patients(services: Services, guide: Actor) -> tuple[int, int]:
    return (
        add_patient(services, guide, "KC-100", "Zoë", "Dubois"),
        add_patient(services, guide, "KC-200", "Tomás", "Álvarez", Indication.PTSD),
    )


def _content(events: object) -> dict[str, object]:
    return {"experience": "x"} | ({} if events == _MISSING else {"adverse_events": events})


def _add_sessions(
    services: Services,
    physician: Actor,
    guide: Actor,
    patients: tuple[int, int],
    sessions: list[tuple[list[bool], tuple[str, object, object] | None]],
) -> None:
    for i, (observations, note) in enumerate(sessions):
        made = make_session(
            services, patients[i % 2], physician, guide, START - i * DAY, full=False, note=None
        )
        with services.db.transaction() as s:
            for minute, adverse in enumerate(observations):
                at = made.t0 + timedelta(minutes=minute)
                s.add(
                    Observation(
                        session_id=made.session_id,
                        tag="vomiting" if adverse else "resting",
                        adverse_event=adverse,
                        observed_at=at,
                        recorded_at=at,
                        recorded_by_id=guide.id,
                    )
                )
            if note is not None:
                status, events, _ = note
                s.add(
                    ReflectionNote(
                        session_id=made.session_id,
                        content=_content(events),
                        status=status,
                        created_at=made.t0,
                        created_by_id=guide.id,
                        updated_at=made.t0,
                        updated_by_id=guide.id,
                    )
                )
        if note is not None and note[0] == "draft" and note[2] is not None:
            with services.db.transaction() as s:  # an edit, as a later autosave would make
                row = s.scalars(
                    select(ReflectionNote).where(ReflectionNote.session_id == made.session_id)
                ).one()
                row.content = _content(note[2])


def _expected(services: Services, patient_text: str, unsigned: bool) -> tuple[set[int], set[int]]:
    """(matching sessions, sessions with an adverse event) from the rows, in Python."""
    with services.db.transaction() as s:
        sessions = s.execute(select(TreatmentSession.id, Patient.search_key).join(Patient)).all()
        adverse_obs = set(
            s.scalars(select(Observation.session_id).where(Observation.adverse_event))
        )
        notes = {n.session_id: (n.status, n.content) for n in s.scalars(select(ReflectionNote))}

    def listed(content: dict[str, object]) -> bool:
        events = content.get("adverse_events")
        return isinstance(events, list) and events != []

    adverse = adverse_obs | {sid for sid, (_, c) in notes.items() if listed(c)}
    matching = {
        sid
        for sid, key in sessions
        if sid in adverse
        and fold(patient_text.strip()) in key
        and (not unsigned or notes.get(sid, ("draft",))[0] != "signed")
    }
    return matching, adverse


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sessions=st.lists(_SESSION, min_size=1, max_size=6),
    patient_text=st.sampled_from(["", "dubois", "KC-200"]),
    unsigned=st.booleans(),
)
def test_adverse_filter_equals_a_recomputation_from_observations_and_note_content(
    services: Services,
    physician: Actor,
    guide: Actor,
    two_patients: tuple[int, int],
    sessions: list[tuple[list[bool], tuple[str, object, object] | None]],
    patient_text: str,
    unsigned: bool,
) -> None:
    # Sessions pile up over the examples: each check covers every session written so far.
    _add_sessions(services, physician, guide, two_patients, sessions)
    matching, adverse = _expected(services, patient_text, unsigned)
    f = SessionFilters(patient_text=patient_text, adverse_events_only=True, unsigned_only=unsigned)
    page = services.records.search_sessions(f, 0, 500)
    assert {r.id for r in page.rows} == matching and not page.has_more
    assert all(r.adverse_events for r in page.rows)
    assert services.records.count_sessions(f) == len(matching)
    every = services.records.search_sessions(SessionFilters(), 0, 500).rows
    assert {r.id for r in every if r.adverse_events} == adverse


def test_adverse_filter_reads_only_the_partial_indexes(
    services: Services, clinic: dict[str, int]
) -> None:
    """The filter drives from the few adverse rows; it must never walk every session again."""
    statements: list[tuple[str, object]] = []

    def record(*args: object) -> None:
        statements.append((str(args[2]), args[3]))

    f = SessionFilters(adverse_events_only=True)
    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        services.records.count_sessions(f)
        services.records.search_sessions(f)
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)
    queries = [(q, p) for q, p in statements if "FROM treatment_session" in q]
    assert len(queries) == 2
    partial = ("USING INDEX ix_observation_adverse", "USING INDEX ix_reflection_note_adverse")
    with services.db.engine.connect() as conn:
        for sql, params in queries:
            plan = [
                str(row[3])
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)  # type: ignore[arg-type]
            ]
            assert all(any(p in line for line in plan) for p in partial), plan
            # Every full walk is over one of the partial indexes (a few rows), none elsewhere.
            scans = [line for line in plan if line.startswith("SCAN")]
            assert scans and all(any(p in line for p in partial) for line in scans), plan
