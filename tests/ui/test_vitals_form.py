"""VitalsForm: typing, Enter to confirm, messages at the field, °F, flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateTimeEdit, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from companion.clinical.plausibility import VitalsValues
from companion.clock import ManualClock
from ui.widgets.vitals_form import VitalsForm

INPUTS = [
    "vitals_systolic", "vitals_diastolic", "vitals_pulse", "vitals_spo2", "vitals_respiration",
    "vitals_temperature", "vitals_temp_unit", "vitals_weight", "vitals_oxygen", "vitals_acvpu",
    "vitals_measured_at", "vitals_confirm",
]  # fmt: skip


@pytest.fixture
def form(qtbot: QtBot, clock: ManualClock) -> VitalsForm:
    widget = VitalsForm(clock, show_weight=True)
    qtbot.addWidget(widget)
    return widget


def edit(form: VitalsForm, name: str) -> QLineEdit:
    found = form.findChild(QLineEdit, f"vitals_{name}")
    assert found is not None
    return found


def label(form: VitalsForm, object_name: str) -> QLabel:
    found = form.findChild(QLabel, object_name)
    assert found is not None
    return found


def type_values(qtbot: QtBot, form: VitalsForm, **values: str) -> None:
    for name, text in values.items():
        qtbot.keyClicks(edit(form, name), text)


def test_every_input_is_named(form: VitalsForm) -> None:
    for name in INPUTS:
        widget = form.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_typed_values_and_enter_emit(qtbot: QtBot, form: VitalsForm, clock: ManualClock) -> None:
    type_values(
        qtbot, form, systolic="128", diastolic="82", pulse="76", spo2="98", respiration="14",
        temperature="36,8", weight="72.4",
    )  # fmt: skip
    clock.advance(90)  # the untouched time follows the clock up to the moment of confirming
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.keyClick(edit(form, "weight"), Qt.Key.Key_Return)
    values, measured_at = blocker.args
    assert values == VitalsValues(
        systolic=128, diastolic=82, pulse=76, spo2=98, respiration=14, temperature_c=36.8,
        weight_kg=72.4, on_oxygen=False, consciousness="A",
    )  # fmt: skip
    assert measured_at == clock.now()
    assert measured_at.tzinfo is not None and measured_at.utcoffset() == timedelta(0)
    assert label(form, "vitals_pulse_flag").text() == ""


def test_out_of_range_shows_message_and_emits_nothing(qtbot: QtBot, form: VitalsForm) -> None:
    type_values(qtbot, form, systolic="400", diastolic="80", pulse="70")
    with qtbot.assertNotEmitted(form.confirmed):
        qtbot.keyClick(edit(form, "pulse"), Qt.Key.Key_Return)
    error = label(form, "vitals_systolic_error")
    assert error.text() == "Systolic must be a whole number from 50 to 300 mmHg"
    assert not error.isHidden()
    assert edit(form, "systolic").property("invalid") == "true"
    # Fixing the value clears the message and confirms.
    edit(form, "systolic").clear()
    qtbot.keyClicks(edit(form, "systolic"), "140")
    with qtbot.waitSignal(form.confirmed, timeout=1000):
        qtbot.keyClick(edit(form, "systolic"), Qt.Key.Key_Enter)
    assert error.isHidden()


@pytest.mark.parametrize(
    "text", ["abc", "-5", "1e3", "nan", "inf", "12.5", "\u0000", "𝟙𝟚𝟘", "9" * 12, "١٢٠"]
)
def test_garbage_never_crashes_nor_emits(qtbot: QtBot, form: VitalsForm, text: str) -> None:
    edit(form, "pulse").setText(text)
    with qtbot.assertNotEmitted(form.confirmed):
        qtbot.keyClick(edit(form, "pulse"), Qt.Key.Key_Return)
    assert "Pulse must be" in label(form, "vitals_pulse_error").text()


def test_cross_field_messages(qtbot: QtBot, form: VitalsForm) -> None:
    type_values(qtbot, form, systolic="120", diastolic="125")
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    assert label(form, "vitals_diastolic_error").text() == "Diastolic must be below systolic"
    edit(form, "diastolic").clear()
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    assert "both systolic and diastolic" in label(form, "vitals_diastolic_error").text()
    form.clear()
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    assert label(form, "vitals_form_error").text() == "Enter at least one vital sign"


def test_fahrenheit_converts(qtbot: QtBot, form: VitalsForm) -> None:
    unit = form.findChild(QComboBox, "vitals_temp_unit")
    assert unit is not None
    unit.setCurrentIndex(unit.findData("F"))
    type_values(qtbot, form, temperature="98.6")
    edit(form, "temperature").editingFinished.emit()
    assert label(form, "vitals_temperature_celsius").text() == "= 37.0 °C"
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.keyClick(edit(form, "temperature"), Qt.Key.Key_Return)
    assert blocker.args[0].temperature_c == 37.0
    # An out-of-range °F value gets a message naming both units.
    edit(form, "temperature").setText("115")
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    message = label(form, "vitals_temperature_error").text()
    assert "°C" in message and "°F" in message


def test_abnormal_values_flagged_in_text_and_property(qtbot: QtBot, clock: ManualClock) -> None:
    baseline = VitalsValues(systolic=120, diastolic=80, pulse=72)
    form = VitalsForm(clock, show_weight=False, baseline=baseline)
    qtbot.addWidget(form)
    assert edit(form, "pulse").placeholderText() == "baseline 72"
    type_values(qtbot, form, systolic="185", diastolic="95", pulse="128", spo2="97")
    form.findChild(QCheckBox, "vitals_oxygen").setChecked(True)  # type: ignore[union-attr]
    with qtbot.waitSignal(form.confirmed, timeout=1000):
        qtbot.keyClick(edit(form, "spo2"), Qt.Key.Key_Return)
    pulse_flag = label(form, "vitals_pulse_flag")
    assert pulse_flag.text() == "High"
    assert pulse_flag.property("flag") == "abnormal"
    assert edit(form, "pulse").property("flag") == "abnormal"
    assert pulse_flag.toolTip() == "Pulse 128 /min — high (baseline 72, +56)"
    assert label(form, "vitals_systolic_flag").text() == "Very high"
    assert edit(form, "systolic").property("flag") == "alarming"
    assert label(form, "vitals_diastolic_flag").text() == "High"
    assert label(form, "vitals_oxygen_flag").text() == "On oxygen"
    assert edit(form, "spo2").property("flag") == ""
    # Editing a flagged value clears its (now stale) flag.
    qtbot.keyClicks(edit(form, "pulse"), "0")
    assert label(form, "vitals_pulse_flag").text() == ""
    assert edit(form, "pulse").property("flag") == ""


def test_enter_in_checkbox_and_combo_confirms(qtbot: QtBot, form: VitalsForm) -> None:
    type_values(qtbot, form, pulse="70")
    acvpu = form.findChild(QComboBox, "vitals_acvpu")
    assert acvpu is not None
    acvpu.setCurrentIndex(acvpu.findData("V"))
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.keyClick(acvpu, Qt.Key.Key_Return)
    assert blocker.args[0].consciousness == "V"
    assert label(form, "vitals_acvpu_flag").property("flag") == "alarming"
    oxygen = form.findChild(QCheckBox, "vitals_oxygen")
    assert oxygen is not None
    qtbot.keyClick(oxygen, Qt.Key.Key_Space)
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.keyClick(oxygen, Qt.Key.Key_Return)
    assert blocker.args[0].on_oxygen is True


def test_edited_measurement_time(qtbot: QtBot, form: VitalsForm, clock: ManualClock) -> None:
    when = form.findChild(QDateTimeEdit, "vitals_measured_at")
    assert when is not None
    earlier = clock.now() - timedelta(minutes=10)
    when.setDateTime(QDateTime.fromMSecsSinceEpoch(int(earlier.timestamp() * 1000)))
    type_values(qtbot, form, pulse="70")
    clock.advance(60)  # an edited time stays as typed
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        form.confirm()
    assert blocker.args[1] == earlier
    future = clock.now() + timedelta(hours=1)
    when.setDateTime(QDateTime.fromMSecsSinceEpoch(int(future.timestamp() * 1000)))
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    assert "future" in label(form, "vitals_measured_at_error").text()
    stale = clock.now() - timedelta(days=2)
    when.setDateTime(QDateTime.fromMSecsSinceEpoch(int(stale.timestamp() * 1000)))
    with qtbot.assertNotEmitted(form.confirmed):
        form.confirm()
    assert "24 hours" in label(form, "vitals_measured_at_error").text()


def test_set_values_and_clear(qtbot: QtBot, form: VitalsForm, clock: ManualClock) -> None:
    v = VitalsValues(systolic=130, diastolic=85, pulse=64, temperature_c=36.6, weight_kg=80.0, on_oxygen=True, consciousness="C")  # fmt: skip
    form.set_values(v)
    assert edit(form, "temperature").text() == "36.6"
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        form.confirm()
    assert blocker.args[0] == v
    form.clear()
    assert all(edit(form, n).text() == "" for n in ("systolic", "pulse", "weight"))
    assert label(form, "vitals_oxygen_flag").text() == ""
    assert blocker.args[1] == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_weight_hidden_when_not_asked(qtbot: QtBot, clock: ManualClock) -> None:
    form = VitalsForm(clock, show_weight=False)
    qtbot.addWidget(form)
    assert edit(form, "weight").isHidden()
    edit(form, "weight").setText("garbage")  # hidden: ignored, never blocks confirmation
    type_values(qtbot, form, pulse="70")
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.keyClick(edit(form, "pulse"), Qt.Key.Key_Return)
    assert blocker.args[0].weight_kg is None


def test_tab_order_and_leaving_a_field_validates(qtbot: QtBot, form: VitalsForm) -> None:
    form.show()
    form.activateWindow()
    qtbot.waitExposed(form)
    systolic = edit(form, "systolic")
    systolic.setFocus()
    qtbot.waitUntil(systolic.hasFocus, timeout=1000)
    qtbot.keyClicks(systolic, "40")
    qtbot.keyClick(systolic, Qt.Key.Key_Tab)  # focus leaves → editingFinished → message
    assert edit(form, "diastolic").hasFocus()
    assert "from 50 to 300" in label(form, "vitals_systolic_error").text()
    expected = [
        "pulse",
        "spo2",
        "respiration",
        "temperature",
        "temp_unit",
        "weight",
        "oxygen",
        "acvpu",
        "measured_at",
    ]
    for name in expected:
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
        assert form.focusWidget().objectName() == f"vitals_{name}"


def test_confirm_button_click(qtbot: QtBot, form: VitalsForm) -> None:
    type_values(qtbot, form, spo2="96")
    button = form.findChild(QWidget, "vitals_confirm")
    assert button is not None
    with qtbot.waitSignal(form.confirmed, timeout=1000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == VitalsValues(spo2=96)
