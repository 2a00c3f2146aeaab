"""Keyboard-first vitals entry, used at check-in and at every monitoring checkpoint."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from PySide6.QtCore import QDateTime, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from companion.clinical.plausibility import (
    FieldError,
    Flag,
    VitalsValues,
    flag_vitals,
    parse_temperature,
    parse_vital,
    validate_vitals,
)
from companion.clinical.tables import ACVPU, ACVPU_LABELS, PLAUSIBLE
from companion.clock import Clock
from ui.forms import FieldMessage, named
from ui.theme import restyle

# Readable at arm's length in a dim room: the form's font is this much larger than the app's.
FONT_SCALE = 1.3
# A measurement time may be a little ahead (two machines' clocks) but not in the future, and an
# entry older than this is almost certainly a wrong date.
FUTURE_SLACK = timedelta(minutes=1)
MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class _NumberField:
    name: str  # objectName suffix: vitals_<name>
    value_field: str  # VitalsValues attribute
    label: str
    accessible: str


_NUMBER_FIELDS = (
    _NumberField("systolic", "systolic", "Systolic", "Systolic blood pressure, mmHg"),
    _NumberField("diastolic", "diastolic", "Diastolic", "Diastolic blood pressure, mmHg"),
    _NumberField("pulse", "pulse", "Pulse", "Pulse, beats per minute"),
    _NumberField("spo2", "spo2", "SpO2", "Oxygen saturation, percent"),
    _NumberField("respiration", "respiration", "Respiration", "Respiratory rate, per minute"),
    _NumberField("temperature", "temperature_c", "Temperature", "Temperature"),
    _NumberField("weight", "weight_kg", "Weight", "Body weight, kilograms"),
)
# VitalsValues attribute → objectName suffix of the widget that shows its message and flag.
_WIDGET_FOR = {f.value_field: f.name for f in _NUMBER_FIELDS} | {
    "on_oxygen": "oxygen",
    "consciousness": "acvpu",
}


class VitalsForm(QWidget):
    """Vitals entry with validation at the field and clinical flags after confirmation.

    Enter/Return in any input confirms. Bad values show a message beside their field and nothing
    is emitted; good values emit `confirmed(VitalsValues, measured_at)` with `measured_at` an aware
    UTC datetime, then plausible-but-abnormal values are flagged in text and, through the dynamic
    `flag` property ("abnormal"/"alarming"/""), in the theme's colours. While the measurement time
    has not been edited by hand it follows the clock: it is refreshed to `clock.now()` on confirm.

    Signals:
        confirmed(VitalsValues, datetime): a valid set was confirmed.
    """

    confirmed = Signal(object, object)

    def __init__(
        self,
        clock: Clock,
        show_weight: bool,
        baseline: VitalsValues | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("vitals_form")
        self._clock = clock
        self._show_weight = show_weight
        self._baseline = baseline
        self._time_edited = False
        font = self.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * FONT_SCALE)
            self.setFont(font)

        grid = QGridLayout(self)
        self._edits: dict[str, QLineEdit] = {}
        self._errors: dict[str, FieldMessage] = {}
        self._flags: dict[str, QLabel] = {}
        self._inputs: dict[str, QWidget] = {}  # every input by objectName suffix
        self._row_of: dict[str, int] = {}
        self._row_widgets: dict[str, list[QWidget]] = {}
        row = 0
        for spec in _NUMBER_FIELDS:
            edit = named(QLineEdit(), f"vitals_{spec.name}", spec.accessible)
            edit.setMaxLength(12)
            edit.editingFinished.connect(lambda n=spec.name: self._check_one(n))
            edit.textEdited.connect(lambda _t, n=spec.name: self._set_flag(n, None))
            self._edits[spec.name] = edit
            unit: QWidget
            if spec.name == "temperature":
                self._temp_unit = named(QComboBox(), "vitals_temp_unit", "Temperature unit")
                self._temp_unit.addItem("°C", "C")
                self._temp_unit.addItem("°F", "F")
                self._temp_unit.currentIndexChanged.connect(self._unit_changed)
                unit = self._temp_unit
            else:
                unit = QLabel(PLAUSIBLE[spec.value_field].unit)
            row = self._add_row(grid, row, spec.name, spec.label, edit, unit)
        self._celsius = QLabel()
        self._celsius.setObjectName("vitals_temperature_celsius")
        self._celsius.setProperty("role", "muted")
        grid.addWidget(self._celsius, self._row_of["temperature"], 4)

        self._oxygen = named(QCheckBox("On supplemental oxygen"), "vitals_oxygen", "On oxygen")
        self._oxygen.toggled.connect(lambda _c: self._set_flag("oxygen", None))
        row = self._add_row(grid, row, "oxygen", "Oxygen", self._oxygen, None)
        self._acvpu = named(QComboBox(), "vitals_acvpu", "Consciousness, ACVPU")
        for code in ACVPU:
            self._acvpu.addItem(f"{code} — {ACVPU_LABELS[code]}", code)
        self._acvpu.currentIndexChanged.connect(lambda _i: self._set_flag("acvpu", None))
        row = self._add_row(grid, row, "acvpu", "Consciousness", self._acvpu, None)
        self._measured_at = named(QDateTimeEdit(), "vitals_measured_at", "Measured at")
        self._measured_at.setDisplayFormat("yyyy-MM-dd HH:mm")
        self._measured_at.dateTimeChanged.connect(self._time_changed)
        row = self._add_row(grid, row, "measured_at", "Measured at", self._measured_at, None)

        self._confirm = named(QPushButton("Confirm vitals"), "vitals_confirm", "Confirm vitals")
        self._confirm.setProperty("primary", "true")
        self._confirm.clicked.connect(self.confirm)
        grid.addWidget(self._confirm, row, 1, 1, 2)
        self._form_error = FieldMessage("vitals_form_error")
        grid.addWidget(self._form_error, row + 1, 0, 1, 5)
        grid.setColumnStretch(4, 1)

        if not show_weight:
            for w in self._row_widgets["weight"]:
                w.hide()
        order: list[QWidget] = [self._edits[s.name] for s in _NUMBER_FIELDS if s.name != "weight"]
        order.insert(order.index(self._edits["temperature"]) + 1, self._temp_unit)
        if show_weight:
            order.append(self._edits["weight"])
        order += [self._oxygen, self._acvpu, self._measured_at, self._confirm]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        for w in order:
            w.installEventFilter(self)
        self.set_baseline(baseline)
        self._reset_time()

    # --- construction helpers -----------------------------------------------------------------

    def _add_row(
        self,
        grid: QGridLayout,
        row: int,
        name: str,
        label: str,
        field: QWidget,
        unit: QWidget | None,
    ) -> int:
        caption = QLabel(label)
        caption.setBuddy(field)
        flag = QLabel()
        flag.setObjectName(f"vitals_{name}_flag")
        flag.setProperty("flag", "")
        field.setProperty("flag", "")  # the theme colours inputs by this dynamic property
        error = FieldMessage(f"vitals_{name}_error")
        grid.addWidget(caption, row, 0)
        grid.addWidget(field, row, 1)
        if unit is not None:
            grid.addWidget(unit, row, 2)
        grid.addWidget(flag, row, 3)
        grid.addWidget(error, row + 1, 1, 1, 4)
        self._row_of[name] = row
        self._row_widgets[name] = [caption, field, flag, *([unit] if unit else [])]
        self._inputs[name] = field
        self._errors[name] = error
        self._flags[name] = flag
        return row + 2

    # --- public API ---------------------------------------------------------------------------

    def set_baseline(self, baseline: VitalsValues | None) -> None:
        """Show the baseline as each field's placeholder; flags then mention the change."""
        self._baseline = baseline
        for spec in _NUMBER_FIELDS:
            value = baseline.get(spec.value_field) if baseline is not None else None
            decimals = PLAUSIBLE[spec.value_field].decimals
            text = "" if value is None else f"baseline {value:.{decimals}f}"
            self._edits[spec.name].setPlaceholderText(text)

    def set_values(self, v: VitalsValues) -> None:
        """Fill the form (temperature in °C); clears messages and flags; emits nothing."""
        self._clear_feedback()
        self._temp_unit.setCurrentIndex(0)
        for spec in _NUMBER_FIELDS:
            value = v.get(spec.value_field)
            decimals = PLAUSIBLE[spec.value_field].decimals
            self._edits[spec.name].setText("" if value is None else f"{value:.{decimals}f}")
        self._oxygen.setChecked(v.on_oxygen)
        index = self._acvpu.findData(v.consciousness)
        self._acvpu.setCurrentIndex(max(index, 0))
        self._update_celsius()

    def clear(self) -> None:
        """Empty every field (the °C/°F choice stays) and reset the time to now."""
        for edit in self._edits.values():
            edit.clear()
        self._oxygen.setChecked(False)
        self._acvpu.setCurrentIndex(0)
        self._clear_feedback()
        self._update_celsius()
        self._reset_time()

    def confirm(self) -> bool:
        """Validate everything; emit `confirmed` and show flags if valid. Returns success."""
        self._form_error.show_message("")
        parsed: dict[str, int | float | None] = {}
        bad: list[str] = []
        for spec in _NUMBER_FIELDS:
            if spec.name == "weight" and not self._show_weight:
                parsed[spec.value_field] = None
                continue
            try:
                parsed[spec.value_field] = self._parse(spec.name)
            except FieldError as e:
                self._show_error(spec.name, e.message)
                bad.append(spec.name)
            else:
                self._show_error(spec.name, "")
        measured_at = self._checked_time()
        if measured_at is None:
            bad.append("measured_at")
        if bad:
            self._inputs[bad[0]].setFocus()
            return False
        values = VitalsValues(
            systolic=_as_int(parsed["systolic"]),
            diastolic=_as_int(parsed["diastolic"]),
            pulse=_as_int(parsed["pulse"]),
            spo2=_as_int(parsed["spo2"]),
            respiration=_as_int(parsed["respiration"]),
            temperature_c=_as_float(parsed["temperature_c"]),
            weight_kg=_as_float(parsed["weight_kg"]),
            on_oxygen=self._oxygen.isChecked(),
            consciousness=str(self._acvpu.currentData()),
        )
        try:
            validate_vitals(values)
        except FieldError as e:
            widget = _WIDGET_FOR.get(e.field)
            if widget is None:
                self._form_error.show_message(e.message)
                self._inputs["systolic"].setFocus()
            else:
                self._show_error(widget, e.message)
                self._inputs[widget].setFocus()
            return False
        assert measured_at is not None
        self._show_flags(flag_vitals(values, self._baseline))
        self.confirmed.emit(values, measured_at)
        return True

    # --- behaviour ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Enter confirms from any input (QLineEdit and QDateTimeEdit would only end editing).
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.confirm()
            return True
        return super().eventFilter(watched, event)

    def _unit(self) -> Literal["C", "F"]:
        return "F" if self._temp_unit.currentData() == "F" else "C"

    def _parse(self, name: str) -> int | float | None:
        text = self._edits[name].text()
        if not text.strip():
            return None
        if name == "temperature":
            return parse_temperature(text, self._unit())
        spec = next(s for s in _NUMBER_FIELDS if s.name == name)
        return parse_vital(spec.value_field, text)

    def _check_one(self, name: str) -> None:
        try:
            self._parse(name)
        except FieldError as e:
            self._show_error(name, e.message)
        else:
            self._show_error(name, "")
        if name == "temperature":
            self._update_celsius()

    def _unit_changed(self, _index: int) -> None:
        self._set_flag("temperature", None)
        if self._edits["temperature"].text().strip():
            self._check_one("temperature")
        else:
            self._update_celsius()

    def _update_celsius(self) -> None:
        text = ""
        if self._unit() == "F":
            try:
                value = self._parse("temperature")
            except FieldError:
                value = None
            if value is not None:
                text = f"= {value:.1f} °C"
        self._celsius.setText(text)

    def _show_error(self, name: str, message: str) -> None:
        field = self._inputs[name]
        self._errors[name].show_message(message, field)
        field.setAccessibleDescription(message)

    def _set_flag(self, name: str, flag: Flag | None) -> None:
        severity = "" if flag is None else flag.severity
        label = self._flags[name]
        label.setText("" if flag is None else flag.word.capitalize())
        label.setToolTip("" if flag is None else flag.text)
        label.setAccessibleName("" if flag is None else flag.text)
        for widget in (label, self._inputs[name]):
            if widget.property("flag") != severity:
                widget.setProperty("flag", severity)
                restyle(widget)

    def _show_flags(self, flags: list[Flag]) -> None:
        by_widget = {_WIDGET_FOR[f.field]: f for f in flags if f.field in _WIDGET_FOR}
        for name in self._flags:
            self._set_flag(name, by_widget.get(name))

    def _clear_feedback(self) -> None:
        for name in self._errors:
            self._show_error(name, "")
            self._set_flag(name, None)
        self._form_error.show_message("")

    # --- measurement time ---------------------------------------------------------------------

    def _reset_time(self) -> None:
        self._set_time(self._clock.now())
        self._time_edited = False

    def _set_time(self, when: datetime) -> None:
        self._measured_at.blockSignals(True)
        try:
            ms = int(when.timestamp() * 1000)
            self._measured_at.setDateTime(QDateTime.fromMSecsSinceEpoch(ms))
        finally:
            self._measured_at.blockSignals(False)

    def _time_changed(self, _value: QDateTime) -> None:
        self._time_edited = True
        self._show_error("measured_at", "")

    def _checked_time(self) -> datetime | None:
        now = self._clock.now()
        if not self._time_edited:
            self._set_time(now)
            self._show_error("measured_at", "")
            return now
        ms = self._measured_at.dateTime().toMSecsSinceEpoch()
        when = datetime.fromtimestamp(ms / 1000, UTC)
        if when > now + FUTURE_SLACK:
            self._show_error("measured_at", "Measured at cannot be in the future")
            return None
        if when < now - MAX_AGE:
            self._show_error("measured_at", "Measured at must be within the last 24 hours")
            return None
        self._show_error("measured_at", "")
        return when


def _as_int(value: int | float | None) -> int | None:
    return value if isinstance(value, int) else None


def _as_float(value: int | float | None) -> float | None:
    return None if value is None else float(value)
