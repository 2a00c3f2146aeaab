"""CheckInService: every action commits and is audited, roles are enforced, PHQ-9 item 9 alerts
the physician, the BP gate is stored (it blocks dosing, not check-in), fasting edges, and fuzzing
of the checklist's text and time inputs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.roles import Actor
from companion.services import Services
from companion.services.checkin import (
    PHQ9_ALERT_CODE,
    CheckInIncomplete,
    duration_text,
    fasting_line,
    format_recent_time,
    parse_recent_time,
)
from companion.storage.models import (
    Alert,
    AuditEvent,
    CheckIn,
    Indication,
    Phase,
    Role,
    ScaleResponse,
    TreatmentSession,
    VitalsReading,
)

BASE = VitalsValues(
    systolic=128, diastolic=82, pulse=72, spo2=98, respiration=14, temperature_c=36.7, weight_kg=70
)
HIGH = VitalsValues(systolic=152, diastolic=94, pulse=80, spo2=98, weight_kg=70.0)
PHQ9_OK = [1, 2, 1, 2, 1, 1, 0, 0, 0]  # total 8, mild


def start(
    services: Services,
    guide: Actor,
    indication: Indication = Indication.DEPRESSION,
    chart: str = "KC-100",
) -> int:
    p = services.patients.add_patient(guide, chart, "Ana", "Silva", date(1980, 5, 1), indication)
    return services.sessions.start_session(guide, p.id).id


def audits(services: Services, sid: int, entity: str) -> list[AuditEvent]:
    with services.db.transaction() as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.session_id == sid, AuditEvent.entity == entity)
                .order_by(AuditEvent.id)
            )
        )


def stored_check_in(services: Services, sid: int) -> CheckIn:
    with services.db.transaction() as s:
        ci = s.scalar(select(CheckIn).where(CheckIn.session_id == sid))
        assert ci is not None
        return ci


def fill_required(services: Services, actor: Actor, sid: int) -> None:
    services.checkin.save_checklist(
        actor, sid, driver_name="Robin Silva", driver_phone="+1 555 0100", consent_on_file=True
    )
    services.checkin.record_baseline(actor, sid, BASE, services.clock.now())
    services.checkin.record_scale(actor, sid, "phq9", PHQ9_OK)


def test_checklist_fields_commit_one_by_one_and_are_audited(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    ate = clock.now() - timedelta(hours=3, minutes=10)
    services.checkin.save_checklist(guide, sid, last_food_at=ate)
    services.checkin.save_checklist(guide, sid, driver_name="  Robin Silva ")
    services.checkin.save_checklist(
        guide, sid, medication_flags=["lamotrigine", "maois", "maois"], consent_on_file=True
    )
    ci = stored_check_in(services, sid)  # read back from a fresh transaction: committed
    assert ci.last_food_at == ate
    assert ci.driver_name == "Robin Silva"
    assert ci.medication_flags == ["maois", "lamotrigine"]  # canonical order, no repeats
    assert ci.consent_on_file and ci.recorded_by_id == guide.id
    fields = [e.detail.get("fields") for e in audits(services, sid, "check_in")]
    assert fields == [
        None,
        ["last_food_at"],
        ["driver_name"],
        ["consent_on_file", "medication_flags"],
    ]
    # Saving the same value again changes nothing and writes no audit row.
    services.checkin.save_checklist(guide, sid, driver_name="Robin Silva")
    assert len(audits(services, sid, "check_in")) == 4
    # Empty text clears a field.
    services.checkin.save_checklist(guide, sid, driver_name="")
    assert stored_check_in(services, sid).driver_name is None


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("+1 (555) 010-0123", True),
        ("123456", True),
        ("12345", False),  # 5 digits
        ("1" * 20, True),
        ("1" * 21, False),
        ("555 0100 ext 2", False),
        ("555+0100", False),  # + only in front
        ("", True),  # clears
    ],
)
def test_driver_phone_plausibility(services: Services, guide: Actor, phone: str, ok: bool) -> None:
    sid = start(services, guide)
    if ok:
        services.checkin.save_checklist(guide, sid, driver_phone=phone)
        assert stored_check_in(services, sid).driver_phone == (phone or None)
    else:
        with pytest.raises(FieldError) as err:
            services.checkin.save_checklist(guide, sid, driver_phone=phone)
        assert err.value.field == "driver_phone" and "6 to 20 digits" in err.value.message


def test_times_in_the_future_or_older_than_48_h_are_refused(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    now = clock.now()
    for bad in (now + timedelta(minutes=2), now - timedelta(hours=48, minutes=1)):
        with pytest.raises(FieldError) as err:
            services.checkin.save_checklist(guide, sid, last_drink_at=bad)
        assert err.value.field == "last_drink_at"
    with pytest.raises(FieldError):
        services.checkin.save_checklist(guide, sid, last_drink_at=datetime(2026, 3, 2, 8, 0))
    services.checkin.save_checklist(guide, sid, last_drink_at=now - timedelta(hours=48))
    services.checkin.save_checklist(guide, sid, last_food_at=now)
    with services.db.transaction() as s:
        assert s.scalar(select(func.count(CheckIn.id))) == 1


def test_only_clinicians_check_in_and_only_physicians_acknowledge_the_bp_gate(
    services: Services, staff_by_role: dict[Role, Actor], clock: ManualClock
) -> None:
    guide, physician = staff_by_role[Role.GUIDE], staff_by_role[Role.PHYSICIAN]
    sid = start(services, guide)
    for role in (Role.STAFF, Role.ADMIN):
        with pytest.raises(PermissionDenied):
            services.checkin.save_checklist(staff_by_role[role], sid, consent_on_file=True)
        with pytest.raises(PermissionDenied):
            services.checkin.record_ratings(staff_by_role[role], sid, mood=5)
    services.checkin.record_baseline(guide, sid, HIGH, clock.now())
    with pytest.raises(PermissionDenied):
        services.checkin.acknowledge_bp_gate(guide, sid, "fine")
    with pytest.raises(FieldError):
        services.checkin.acknowledge_bp_gate(physician, sid, "   ")
    state = services.checkin.acknowledge_bp_gate(
        physician, sid, "White-coat pattern, 2nd read 138/88"
    )
    ci = stored_check_in(services, sid)
    assert ci.bp_gate_ack_by_id == physician.id and ci.bp_gate_ack_at == clock.now()
    assert ci.bp_gate_ack_reason == "White-coat pattern, 2nd read 138/88"
    assert state.bp_gate.acknowledged_by == "Dr. Test Physician"
    assert not state.bp_gate.blocks_dosing
    assert [e.action for e in audits(services, sid, "bp_gate")] == ["acknowledge"]


def test_bp_gate_is_shown_and_blocks_dosing_not_check_in(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    fill_required(services, guide, sid)
    with pytest.raises(NotAllowedNow):  # within the gate: nothing to acknowledge
        services.checkin.acknowledge_bp_gate(physician, sid, "ok")
    clock.advance(120)
    state = services.checkin.record_baseline(guide, sid, HIGH, clock.now())
    assert state.bp_gate.exceeded and state.bp_gate.blocks_dosing and state.bp_gate.gate == "140/90"
    assert any("above the gate" in w for w in state.warnings)
    assert state.missing == ()
    done = services.checkin.complete(guide, sid)  # not blocked by the gate
    assert done.phase == Phase.CENTERING and done.bp_gate.blocks_dosing
    # An acknowledgement is for the numbers it saw: a re-take withdraws it.
    services.checkin.acknowledge_bp_gate(physician, sid, "Anxious on arrival")
    clock.advance(300)
    again = services.checkin.record_baseline(guide, sid, HIGH, clock.now())
    assert again.bp_gate.blocks_dosing and again.bp_gate.reason is None
    assert stored_check_in(services, sid).bp_gate_ack_at is None
    assert [e.action for e in audits(services, sid, "bp_gate_ack")] == ["withdraw"]


def test_baseline_needs_weight_and_blood_pressure(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    with pytest.raises(FieldError) as err:
        services.checkin.record_baseline(
            guide, sid, VitalsValues(systolic=120, diastolic=80), clock.now()
        )
    assert err.value.field == "weight_kg" and "mg/kg" in err.value.message
    with pytest.raises(FieldError) as err:
        services.checkin.record_baseline(
            guide, sid, VitalsValues(pulse=70, weight_kg=70.0), clock.now()
        )
    assert err.value.field == "systolic"
    state = services.checkin.record_baseline(guide, sid, BASE, clock.now())
    assert state.baseline is not None and state.baseline.values == BASE
    with services.db.transaction() as s:
        [r] = s.scalars(select(VitalsReading)).all()
        assert (r.context, r.weight_kg, r.news2_total) == ("baseline", 70.0, 0)


def test_scale_is_scored_stored_and_a_correction_replaces_it(
    services: Services, guide: Actor
) -> None:
    sid = start(services, guide, Indication.ANXIETY)
    assert services.checkin.state(sid).scale_id == "gad7"
    with pytest.raises(FieldError):
        services.checkin.record_scale(guide, sid, "gad7", [1, 2, 3])
    with pytest.raises(FieldError):
        services.checkin.record_scale(guide, sid, "gad7", [0, 0, 0, 0, 0, 0, 4])
    with pytest.raises(FieldError):
        services.checkin.record_scale(guide, sid, "cadss6", [0] * 6)
    state = services.checkin.record_scale(guide, sid, "gad7", [2, 2, 2, 2, 1, 1, 0])
    assert state.scale is not None and (state.scale.total, state.scale.band) == (10, "Moderate")
    services.checkin.record_scale(guide, sid, "gad7", [2, 2, 2, 2, 1, 1, 3])
    with services.db.transaction() as s:
        [row] = s.scalars(select(ScaleResponse)).all()
        assert (row.total, row.band, row.context) == (13, "Moderate", "pre")
        assert row.items == [2, 2, 2, 2, 1, 1, 3]
    assert [e.action for e in audits(services, sid, "scale_response")] == ["create", "update"]


def test_phq9_item9_raises_one_urgent_alert_that_stays_until_acknowledged(
    services: Services, guide: Actor, physician: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    state = services.checkin.record_scale(guide, sid, "phq9", [*PHQ9_OK[:8], 1])
    [alert] = state.open_alerts
    assert (alert.code, alert.severity) == (PHQ9_ALERT_CODE, "urgent")
    assert "item 9" in alert.detail and alert.escalation
    assert any("PHQ-9 item 9" in w for w in state.warnings)
    # Changing another item does not add a second alert; correcting item 9 to 0 leaves it open.
    services.checkin.record_scale(guide, sid, "phq9", [2, *PHQ9_OK[1:8], 1])
    state = services.checkin.record_scale(guide, sid, "phq9", [2, *PHQ9_OK[1:8], 0])
    assert len(state.open_alerts) == 1
    with services.db.transaction() as s:
        stored = s.scalars(select(Alert)).all()
        assert len(stored) == 1 and stored[0].acknowledged_at is None
        stored[0].acknowledged_at, stored[0].acknowledged_by_id = clock.now(), physician.id
    assert services.checkin.state(sid).open_alerts == ()
    # A new positive answer after acknowledgement alerts again.
    state = services.checkin.record_scale(guide, sid, "phq9", [2, *PHQ9_OK[1:8], 3])
    assert len(state.open_alerts) == 1 and "scored 3" in state.open_alerts[0].detail


def test_ratings_and_intention(services: Services, guide: Actor) -> None:
    sid = start(services, guide)
    services.checkin.record_ratings(guide, sid, mood="4", anxiety=7)
    state = services.checkin.record_ratings(guide, sid, intention="  To be kinder to myself.\n")
    assert (state.mood_pre, state.anxiety_pre, state.intention) == (4, 7, "To be kinder to myself.")
    for bad in ("11", "-1", "4.5", "x"):
        with pytest.raises(FieldError) as err:
            services.checkin.record_ratings(guide, sid, mood=bad)
        assert err.value.field == "mood_pre"
    assert services.checkin.record_ratings(guide, sid, anxiety="").anxiety_pre is None


def test_complete_lists_what_is_missing_then_moves_to_centering_once(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    with pytest.raises(CheckInIncomplete) as err:
        services.checkin.complete(guide, sid)
    assert err.value.missing == (
        "driver's name",
        "driver's phone",
        "consent on file",
        "baseline vitals with weight",
        "PHQ-9",
    )
    fill_required(services, guide, sid)
    state = services.checkin.complete(guide, sid)
    assert state.completed_at == clock.now() and state.phase == Phase.CENTERING
    # Fasting not recorded and medication flags are warnings, not blockers.
    assert "Last food: not recorded — rule: at least 2 h" in state.warnings
    first = state.completed_at
    services.sessions.set_phase(guide, sid, Phase.DOSE)
    clock.advance(60)
    again = services.checkin.complete(guide, sid)  # idempotent; never moves a session back
    assert (again.completed_at, again.phase) == (first, Phase.DOSE)
    assert [e.action for e in audits(services, sid, "check_in")].count("complete") == 1


def test_a_closed_session_refuses_changes(
    services: Services, guide: Actor, physician: Actor
) -> None:
    sid = start(services, guide)
    services.sessions.abandon(physician, sid, "Patient unwell")
    with pytest.raises(NotAllowedNow):
        services.checkin.save_checklist(guide, sid, consent_on_file=True)
    with pytest.raises(NotAllowedNow):
        services.checkin.record_scale(guide, sid, "phq9", PHQ9_OK)
    assert services.checkin.state(sid).closed


@pytest.mark.parametrize(
    ("minutes_ago", "text", "met"),
    [
        (190, "Last food 3 h 10 min ago — rule: at least 2 h: met", True),
        (120, "Last food 2 h ago — rule: at least 2 h: met", True),
        (119.99, "Last food 1 h 59 min ago — rule: at least 2 h: NOT met", False),
        (0, "Last food 0 min ago — rule: at least 2 h: NOT met", False),
    ],
)
def test_fasting_rule_at_its_edges(minutes_ago: float, text: str, met: bool) -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    line = fasting_line("Last food", now - timedelta(minutes=minutes_ago), 120, now, "ago")
    assert (line.text, line.met) == (text, met)


def test_fasting_in_state_follows_the_protocol_and_the_injection_time(
    services: Services, guide: Actor, clock: ManualClock
) -> None:
    sid = start(services, guide)
    now = clock.now()
    state = services.checkin.save_checklist(
        guide, sid, last_food_at=now - timedelta(hours=2), last_drink_at=now - timedelta(minutes=29)
    )
    assert state.food.met is True
    assert state.drink.text == "Last drink 29 min ago — rule: at least 30 min: NOT met"
    with services.db.transaction() as s:
        s.get_one(TreatmentSession, sid).t0 = now + timedelta(minutes=5)
    clock.advance(3600)  # judged at the injection, not at whatever time the page is looked at
    assert services.checkin.state(sid).drink.text == (
        "Last drink 34 min before the injection — rule: at least 30 min: met"
    )


def test_duration_text() -> None:
    assert [duration_text(m) for m in (0, 45, 60, 61, 190.9)] == [
        "0 min", "45 min", "1 h", "1 h 1 min", "3 h 10 min",
    ]  # fmt: skip


def test_typed_times_are_the_latest_such_moment_not_after_now() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).astimezone()  # local wall clock 09:00-ish
    local_now = now.astimezone()
    earlier = (local_now - timedelta(hours=1)).strftime("%H:%M")
    parsed = parse_recent_time("f", earlier, now)
    assert parsed is not None and timedelta(minutes=59) <= now - parsed <= timedelta(minutes=61)
    later = (local_now + timedelta(hours=1)).strftime("%H:%M")  # means yesterday
    parsed = parse_recent_time("f", later, now)
    assert parsed is not None and timedelta(hours=22, minutes=59) <= now - parsed <= timedelta(
        hours=23
    )
    assert parse_recent_time("f", "  ", now) is None
    for bad in ("25:00", "7:61", "seven", "today 23:59x", "2026-02-30 10:00"):
        with pytest.raises(FieldError):
            parse_recent_time("f", bad, now)
    for when in (now - timedelta(minutes=5), now - timedelta(hours=20), now - timedelta(hours=40)):
        text = format_recent_time(when, now)
        again = parse_recent_time("f", text, now)
        assert again is not None and abs(again - when) < timedelta(minutes=1)


_TEXT = st.text(max_size=60) | st.sampled_from(["+44 20 7946 0958", "(555) 010-0123", "", "  "])


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=_TEXT,
    phone=_TEXT,
    notes=st.text(max_size=120),
    typed=st.text(max_size=20),
    offset=st.integers(min_value=-4000, max_value=100),
)
def test_fuzzed_checklist_input_is_refused_at_a_field_or_stored_as_given(
    services: Services,
    guide: Actor,
    clock: ManualClock,
    name: str,
    phone: str,
    notes: str,
    typed: str,
    offset: int,
) -> None:
    sid = _fuzz_session(services, guide)
    now = clock.now()
    calls = {
        "driver_name": name,
        "driver_phone": phone,
        "medication_notes": notes,
        "last_food_at": now + timedelta(minutes=offset),
    }
    for field, value in calls.items():
        try:
            state = services.checkin.save_checklist(guide, sid, **{field: value})  # type: ignore[arg-type]
        except FieldError as e:
            assert e.field == field and e.message
        else:
            stored = getattr(state, field)
            if isinstance(value, str):
                assert stored == (value.strip() or None) or stored == _nfc(value).strip()
            else:
                assert stored == value
    try:
        parsed = parse_recent_time("last_drink_at", typed, now)
    except FieldError as e:
        assert e.field == "last_drink_at"
    else:
        assert parsed is None or now - timedelta(hours=48) <= parsed <= now + timedelta(minutes=1)
        assert (
            services.checkin.save_checklist(guide, sid, last_drink_at=parsed).last_drink_at
            == parsed
        )


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


_CHARTS = itertools.count(1000)


def _fuzz_session(services: Services, guide: Actor) -> int:
    # Function-scoped fixtures are shared by hypothesis examples: a fresh patient for each one.
    return start(services, guide, chart=f"KC-{next(_CHARTS)}")
