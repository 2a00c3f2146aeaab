"""Patients, sessions, staff and roles through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import PERMISSIONS, Action, Actor
from companion.services import Services
from companion.services.staff import LOCKOUT, MAX_FAILED_ATTEMPTS, SignInRefused
from companion.storage.models import AuditEvent, Indication, Patient, Phase, Role, SessionStatus
from tests.conftest import PIN


def add(
    services: Services,
    actor: Actor,
    chart: str = "KC-1",
    given_name: str = "Zoë",
    family: str = "Dubois",
) -> int:
    return services.patients.add_patient(
        actor, chart, given_name, family, date(1980, 5, 17), Indication.DEPRESSION
    ).id


def test_added_patient_is_committed_and_audited(services: Services, guide: Actor) -> None:
    pid = add(services, guide)
    with services.db.transaction() as s:
        patient = s.get_one(Patient, pid)
        assert (patient.chart_number, patient.given_name) == ("KC-1", "Zoë")
        actions = s.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.actor_id)).all()
    assert ("create", "patient", guide.id) in actions


def test_search_is_case_and_accent_insensitive(services: Services, guide: Actor) -> None:
    add(services, guide, "KC-1", "Zoë", "Dubois")
    add(services, guide, "KC-2", "Mateo", "Fernández")
    assert [p.chart_number for p in services.patients.find("zoe")] == ["KC-1"]
    assert [p.chart_number for p in services.patients.find("FERNANDEZ")] == ["KC-2"]
    assert [p.chart_number for p in services.patients.find("kc-2")] == ["KC-2"]
    assert services.patients.find("%") == []
    assert len(services.patients.find("")) == 2


@pytest.mark.parametrize(
    ("field", "kwargs", "message"),
    [
        ("chart_number", {"chart": ""}, "required"),
        ("chart_number", {"chart": "KC 1; DROP TABLE patient"}, "letters, digits"),
        ("given_name", {"given_name": "   "}, "required"),
        ("family_name", {"family": "x" * 101}, "at most 100"),
        ("family_name", {"family": "Bad\x00Name"}, "control"),
    ],
)
def test_bad_patient_input_is_refused_at_the_field(
    services: Services, guide: Actor, field: str, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(FieldError) as info:
        add(services, guide, **kwargs)
    assert info.value.field == field
    assert message in info.value.message
    with services.db.transaction() as s:
        assert s.scalar(select(func.count(Patient.id))) == 0


def test_duplicate_chart_and_impossible_birth_dates_are_refused(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    add(services, guide, "KC-1")
    with pytest.raises(FieldError, match="already in use"):
        add(services, guide, "kc-1")
    for born in (date(1899, 12, 31), clock.now().date().replace(year=2020)):
        with pytest.raises(FieldError) as info:
            services.patients.add_patient(guide, "KC-9", "A", "B", born, Indication.PTSD)
        assert info.value.field == "date_of_birth"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chart=st.text(max_size=60), given_name=st.text(max_size=150), family=st.text(max_size=150))
def test_any_text_gives_a_message_or_a_valid_stored_patient(
    services: Services, guide: Actor, chart: str, given_name: str, family: str
) -> None:
    try:
        row = services.patients.add_patient(
            guide, chart, given_name, family, date(1970, 1, 1), Indication.OTHER
        )
    except FieldError as exc:
        assert exc.message
        return
    stored = services.patients.get(row.id)
    assert stored.given_name == given_name.strip() or stored.given_name
    assert 1 <= len(stored.chart_number) <= 32 and stored.given_name and stored.family_name


def test_session_numbers_count_the_course_and_one_session_at_a_time(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    pid = add(services, guide)
    first = services.sessions.start_session(guide, pid)
    assert (first.number_in_course, first.phase, first.status) == (
        1,
        Phase.CHECK_IN,
        SessionStatus.IN_PROGRESS,
    )
    with pytest.raises(NotAllowedNow, match="already has a session"):
        services.sessions.start_session(guide, pid)
    services.sessions.abandon(physician, first.id, "BP above gate on re-check")
    clock.advance(86400 * 7)
    second = services.sessions.start_session(guide, pid)
    # The abandoned session was never a treatment, so it does not count.
    assert second.number_in_course == 1
    assert [r.id for r in services.sessions.unfinished()] == [second.id]


def test_today_lists_in_progress_first(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    a = services.sessions.start_session(guide, add(services, guide, "KC-1"))
    clock.advance(600)
    b = services.sessions.start_session(guide, add(services, guide, "KC-2"))
    services.sessions.abandon(physician, b.id, "patient unwell")
    rows = services.sessions.for_day(clock.now().date())
    assert [r.id for r in rows] == [a.id, b.id]


def test_phase_change_is_audited_with_old_and_new(services: Services, guide: Actor) -> None:
    row = services.sessions.start_session(guide, add(services, guide))
    services.sessions.set_phase(guide, row.id, Phase.CENTERING)
    with services.db.transaction() as s:
        detail = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "phase")).one()
    assert detail == {"old": "check_in", "new": "centering"}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", list(Role))
def test_role_matrix_is_complete(action: Action, role: Role) -> None:
    actor = Actor(1, role, "x")
    assert actor.may(action) == (role in PERMISSIONS[action])


def test_services_refuse_actions_outside_the_role(
    services: Services, staff_by_role: dict[Role, Actor]
) -> None:
    with pytest.raises(PermissionDenied):
        add(services, staff_by_role[Role.STAFF])
    pid = add(services, staff_by_role[Role.GUIDE])
    row = services.sessions.start_session(staff_by_role[Role.GUIDE], pid)
    with pytest.raises(PermissionDenied):
        services.sessions.abandon(staff_by_role[Role.GUIDE], row.id, "no")
    with pytest.raises(PermissionDenied):
        services.staff.add_staff(staff_by_role[Role.PHYSICIAN], "x.y", "X Y", Role.ADMIN, PIN)


def test_sign_in_locks_the_account_after_five_failures(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(SignInRefused, match="wrong PIN"):
            services.staff.sign_in("guide.test", "0000")
    with pytest.raises(SignInRefused, match="locked"):
        services.staff.sign_in("guide.test", PIN)
    clock.advance(LOCKOUT.total_seconds() + 1)
    assert services.staff.sign_in("guide.test", PIN).id == guide.id


def test_first_admin_only_once(services: Services, admin: Actor) -> None:
    assert admin.role == Role.ADMIN
    with pytest.raises(PermissionDenied):
        services.staff.create_first_admin("other", "Other", PIN)


def test_no_session_starts_on_a_broken_protocol(services: Services, guide: Actor) -> None:
    from companion.protocol import ProtocolError

    broken = Services.create(
        services.db, services.clock, protocol=ProtocolError("alerts.spo2_below", "must be a number")
    )
    pid = add(broken, guide)
    with pytest.raises(NotAllowedNow, match=r"alerts\.spo2_below"):
        broken.sessions.start_session(guide, pid)
    assert broken.sessions.unfinished() == []
    assert services.protocol is not None and services.protocol.bp_gate.systolic_above == 140
