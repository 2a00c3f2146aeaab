"""Staff administration and the audit log service: stored values, refusals, audit rows, paging."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow
from companion.roles import Actor
from companion.services import Services
from companion.services.audit_log import NO_ACTOR, AuditFilter, check_filter, parse_id
from companion.services.staff import MAX_SECRET_LEN, SignInRefused, check_secret
from companion.storage.models import Role
from tests.conftest import PIN


def test_add_staff_stores_a_casefolded_user_and_audits_it(services: Services, admin: Actor) -> None:
    row = services.staff.add_staff(
        admin, "  Dr.Mei ", "Dr. Mei Lin", Role.PHYSICIAN, "1357", "1357"
    )
    assert (row.username, row.display_name, row.role, row.active) == (
        "dr.mei",
        "Dr. Mei Lin",
        Role.PHYSICIAN,
        True,
    )
    assert services.staff.sign_in("DR.MEI", "1357").id == row.id
    [event] = services.audit_log.query(admin, AuditFilter(action="create", entity="staff")).rows[:1]
    assert (event.entity_id, event.actor_name, event.detail) == (
        row.id,
        "Alex Admin",
        '{"role": "physician"}',
    )


@pytest.mark.parametrize(
    ("secret", "repeat", "field"),
    [
        ("12", "12", "secret"),
        ("1234", "1235", "repeat"),
        ("12\x0034", None, "secret"),
        ("9" * 257, None, "secret"),
    ],
)
def test_bad_pins_are_refused_at_their_field_and_nothing_is_stored(
    services: Services, admin: Actor, secret: str, repeat: str | None, field: str
) -> None:
    with pytest.raises(FieldError) as info:
        services.staff.add_staff(admin, "x.y", "X Y", Role.GUIDE, secret, repeat)
    assert info.value.field == field
    assert [s.username for s in services.staff.list_staff()] == ["admin"]


def test_duplicate_user_name_and_unknown_role_are_refused(services: Services, admin: Actor) -> None:
    with pytest.raises(FieldError, match="taken"):
        services.staff.add_staff(admin, "ADMIN", "Other", Role.GUIDE, PIN)
    with pytest.raises(FieldError) as info:
        services.staff.add_staff(admin, "z", "Z", "nurse", PIN)  # type: ignore[arg-type]
    assert info.value.field == "role"


def test_deactivated_staff_cannot_sign_in_until_reactivated(
    services: Services, admin: Actor, guide: Actor
) -> None:
    row = services.staff.set_active(admin, guide.id, False)
    assert not row.active
    with pytest.raises(SignInRefused):
        services.staff.sign_in("guide.test", PIN)
    services.staff.set_active(admin, guide.id, True)
    assert services.staff.sign_in("guide.test", PIN).id == guide.id
    actions = [r.action for r in services.audit_log.query(admin, AuditFilter(entity="staff")).rows]
    assert actions[:3] == ["sign_in", "reactivate", "sign_in_failed"]
    assert "deactivate" in actions


def test_the_last_admin_and_oneself_cannot_be_deactivated(services: Services, admin: Actor) -> None:
    with pytest.raises(NotAllowedNow, match="last active administrator"):
        services.staff.set_active(admin, admin.id, False)
    other = services.staff.add_staff(admin, "admin2", "Second Admin", Role.ADMIN, PIN)
    with pytest.raises(NotAllowedNow, match="your own"):
        services.staff.set_active(admin, admin.id, False)
    services.staff.set_active(Actor(other.id, Role.ADMIN, "Second Admin"), admin.id, False)
    assert not {s.id: s.active for s in services.staff.list_staff()}[admin.id]


def test_reset_pin_replaces_the_old_one_and_lifts_a_lockout(
    services: Services, admin: Actor, guide: Actor
) -> None:
    for _ in range(5):
        with pytest.raises(SignInRefused):
            services.staff.sign_in("guide.test", "0000")
    with pytest.raises(SignInRefused, match="locked"):
        services.staff.sign_in("guide.test", PIN)
    services.staff.reset_secret(admin, guide.id, "new pass phrase", "new pass phrase")
    with pytest.raises(SignInRefused):
        services.staff.sign_in("guide.test", PIN)
    assert services.staff.sign_in("guide.test", "new pass phrase").id == guide.id


def test_oversized_sign_in_input_is_refused_without_hashing(
    services: Services, admin: Actor
) -> None:
    with pytest.raises(SignInRefused):
        services.staff.sign_in("admin", "x" * (MAX_SECRET_LEN + 1))
    with pytest.raises(SignInRefused):
        services.staff.sign_in("a" * 10_000, PIN)


def test_audit_filters_combine_and_page(
    services: Services, admin: Actor, guide: Actor, clock: ManualClock
) -> None:
    from companion.storage.models import Indication

    p = services.patients.add_patient(
        guide, "KC-1", "Ana", "Silva", date(1980, 1, 1), Indication.PTSD
    )
    s = services.sessions.start_session(guide, p.id)
    clock.advance(86400 * 2)
    services.audit_log.record_view(admin, s.id)
    by_session = services.audit_log.query(admin, AuditFilter(session_id=s.id)).rows
    assert [r.action for r in by_session] == ["view", "create"]
    assert (
        services.audit_log.query(admin, AuditFilter(actor_id=guide.id, session_id=s.id)).total == 1
    )
    today = clock.now().date()
    only_today = services.audit_log.query(admin, AuditFilter(day_from=today, day_to=today))
    assert [r.action for r in only_today.rows] == ["view"]
    no_actor = services.audit_log.query(admin, AuditFilter(actor_id=NO_ACTOR)).rows
    assert all(r.actor_id is None for r in no_actor) and no_actor  # the first admin's creation
    everything = services.audit_log.query(admin, AuditFilter())
    page = services.audit_log.query(admin, AuditFilter(), offset=2, limit=3)
    assert page.rows == everything.rows[2:5] and page.total == everything.total
    actions, entities = services.audit_log.choices(admin)
    assert {"create", "view"} <= set(actions) and {"session", "patient", "staff"} <= set(entities)


def test_record_view_needs_an_existing_session(services: Services, admin: Actor) -> None:
    with pytest.raises(NotAllowedNow):
        services.audit_log.record_view(admin, 999)


def test_end_before_start_is_refused_at_the_end_date() -> None:
    with pytest.raises(FieldError) as info:
        check_filter(AuditFilter(day_from=date(2026, 3, 2), day_to=date(2026, 3, 1)))
    assert info.value.field == "day_to"


@given(st.text(max_size=40))
def test_parse_id_returns_a_positive_int_or_a_field_error(text: str) -> None:
    try:
        value = parse_id("session_id", text)
    except FieldError as exc:
        assert exc.field == "session_id"
        return
    if not text.strip():
        assert value is None
    else:
        assert value is not None and value >= 1 and value == int(text.strip())


@given(st.text(max_size=300), st.one_of(st.none(), st.text(max_size=300)))
def test_check_secret_accepts_only_printable_4_to_256(secret: str, repeat: str | None) -> None:
    import unicodedata

    try:
        check_secret(secret, repeat)
    except FieldError as exc:
        assert exc.field in ("secret", "repeat")
        return
    assert 4 <= len(secret) <= MAX_SECRET_LEN and repeat in (None, secret)
    assert not any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in secret)


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    actor_id=st.one_of(st.none(), st.integers(min_value=-(2**70), max_value=2**70)),
    action=st.one_of(st.none(), st.text(max_size=60)),
    entity=st.one_of(
        st.none(), st.sampled_from(["staff", "session", "'; DROP TABLE audit_event; --"])
    ),
    session_id=st.one_of(st.none(), st.integers(min_value=-5, max_value=2**64)),
    day_from=st.one_of(st.none(), st.dates()),
    day_to=st.one_of(st.none(), st.dates()),
    tz=st.integers(min_value=-14, max_value=14),
)
def test_fuzzed_audit_filters_return_rows_or_a_field_error(
    services: Services,
    admin: Actor,
    actor_id: int | None,
    action: str | None,
    entity: str | None,
    session_id: int | None,
    day_from: date | None,
    day_to: date | None,
    tz: int,
) -> None:
    f = AuditFilter(actor_id, action, entity, session_id, day_from, day_to, timedelta(hours=tz))
    try:
        page = services.audit_log.query(admin, f)
    except FieldError as exc:
        assert exc.field in ("actor_id", "session_id", "day_to", "action", "entity")
        return
    assert page.total >= len(page.rows)
    assert services.audit_log.query(admin, AuditFilter()).total >= 1  # the table is intact
