"""The checkpoint form: the shared vitals form plus MOAA/S, CADSS-6, nausea, distress and a note.

Keyboard-first: Tab moves through the fields, Enter in any input saves. Choosing "Extra reading"
hides the scales (an extra reading is vitals only). The form only collects and checks input; the
page stores it through the monitoring service and shows the service's FieldErrors with
`show_error`.

Signals:
    submitted(CheckpointEntry): a complete, checked entry is ready to be stored.
    missed(str, str): the checkpoint key and the reason it was not taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from companion.clinical.plausibility import VitalsValues
from companion.clinical.tables import CADSS6, MOAAS_LEVELS, RATING_MAX
from companion.clock import Clock
from companion.schedule import CheckpointState
from companion.services.monitoring import NAUSEA_LABELS, NAUSEA_MAX
from ui.forms import FieldMessage, named
from ui.widgets.vitals_form import VitalsForm

EXTRA = "extra"  # the key used in the picker for a reading outside the schedule
UNRATED = -1  # spin box value shown as "—": nothing recorded (never a silent 0)


@dataclass(frozen=True)
class CheckpointEntry:
    key: str  # a protocol checkpoint key, or EXTRA
    values: VitalsValues
    measured_at: datetime
    moaas: int | None
    cadss_items: tuple[int, ...] | None
    nausea: int | None
    distress: int | None
    note: str


def _spin(name: str, accessible: str, high: int) -> QSpinBox:
    box = named(QSpinBox(), name, accessible)
    box.setRange(UNRATED, high)
    box.setSpecialValueText("—")
    box.setValue(UNRATED)
    box.setMinimumWidth(70)
    return box


class CheckpointForm(QWidget):
    submitted = Signal(object)
    missed = Signal(str, str)

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkpoint_form")
        self.picker = named(QComboBox(), "checkpoint_key", "Checkpoint")
        self.picker.currentIndexChanged.connect(self._picked)
        self.vitals = VitalsForm(clock, show_weight=False, parent=self)
        # The page saves the whole entry with one button; the vitals form's own confirm would
        # save vitals alone. Its Enter key still confirms, which submits the whole entry.
        inner = self.vitals.findChild(QPushButton, "vitals_confirm")
        if inner is not None:
            inner.hide()
        self.vitals.confirmed.connect(self._vitals_confirmed)

        self.moaas = named(QComboBox(), "checkpoint_moaas", "MOAA/S sedation level")
        self.moaas.addItem("— choose —", None)
        for level in sorted(MOAAS_LEVELS, reverse=True):
            self.moaas.addItem(f"{level} — {MOAAS_LEVELS[level]}", level)
        self.cadss: list[QSpinBox] = []
        # Two rows of three: six boxes in one row do not fit the form's column.
        cadss_row = QGridLayout()
        for i, number in enumerate(CADSS6.item_numbers):
            box = _spin(f"checkpoint_cadss_{number}", f"CADSS item {number}, 0 to 4", 4)
            box.valueChanged.connect(self._update_cadss_total)
            box.setToolTip(f"CADSS item {number} (0–4)")
            item = QLabel(f"item {number}")
            item.setBuddy(box)
            cadss_row.addWidget(item, i // 3, 2 * (i % 3))
            cadss_row.addWidget(box, i // 3, 2 * (i % 3) + 1)
            self.cadss.append(box)
        self.cadss_total = QLabel("")
        self.cadss_total.setObjectName("checkpoint_cadss_total")
        cadss_row.addWidget(self.cadss_total, 2, 0, 1, 6)
        cadss_row.setColumnStretch(6, 1)
        self.nausea = named(QComboBox(), "checkpoint_nausea", "Nausea, 0 to 3")
        self.nausea.addItem("—", None)
        for value, label in enumerate(NAUSEA_LABELS[: NAUSEA_MAX + 1]):
            self.nausea.addItem(label, value)
        self.distress = _spin("checkpoint_distress", "Distress, 0 to 10", RATING_MAX)
        self.note = named(QLineEdit(), "checkpoint_note", "Checkpoint note")
        self.note.setMaxLength(2000)
        self.note.setPlaceholderText("Anything worth noting (optional)")
        self.save = named(QPushButton("Save checkpoint"), "checkpoint_save", "Save checkpoint")
        self.save.setProperty("primary", "true")
        self.save.clicked.connect(self.submit)
        self.missed_reason = named(QLineEdit(), "checkpoint_missed_reason", "Reason missed")
        self.missed_reason.setPlaceholderText("Reason it was not taken")
        self.missed_button = named(
            QPushButton("Mark missed"), "checkpoint_mark_missed", "Mark missed"
        )
        self.missed_button.clicked.connect(self._mark_missed)

        self.errors: dict[str, FieldMessage] = {
            n: FieldMessage(f"checkpoint_{n}_error")
            for n in ("checkpoint", "moaas", "cadss6", "nausea", "distress", "note", "form")
        }
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self._scale_widgets: list[QWidget] = []
        rows: list[tuple[str, str, QWidget | QGridLayout]] = [
            ("moaas", "MOAA/S", self.moaas),
            ("cadss6", "CADSS-6", cadss_row),
            ("nausea", "Nausea", self.nausea),
            ("distress", "Distress 0–10", self.distress),
            ("note", "Note", self.note),
        ]
        for i, (name, label, field) in enumerate(rows):
            caption = QLabel(label)
            grid.addWidget(caption, 2 * i, 0)
            if isinstance(field, QWidget):
                caption.setBuddy(field)
                grid.addWidget(field, 2 * i, 1)
            else:
                holder = QWidget()
                holder.setLayout(field)
                field.setContentsMargins(0, 0, 0, 0)
                grid.addWidget(holder, 2 * i, 1)
                field = holder
            grid.addWidget(self.errors[name], 2 * i + 1, 1)
            if name != "note":
                self._scale_widgets += [caption, field]

        top = QHBoxLayout()
        top.addWidget(QLabel("Checkpoint"))
        top.addWidget(self.picker, 1)
        missed_row = QHBoxLayout()
        missed_row.addWidget(self.missed_reason, 1)
        missed_row.addWidget(self.missed_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.vitals)
        layout.addLayout(grid)
        layout.addWidget(self.errors["form"])
        layout.addWidget(self.save)
        layout.addSpacing(12)
        layout.addLayout(missed_row)
        layout.addWidget(self.errors["checkpoint"])
        layout.addStretch(1)
        for w in (self.moaas, self.nausea, self.distress, self.note, *self.cadss):
            w.installEventFilter(self)
        self._update_cadss_total()

    # --- public API ---------------------------------------------------------------------------

    def set_checkpoints(self, states: list[CheckpointState], preferred: str | None) -> None:
        """Offer the open checkpoints (and "Extra reading"); select `preferred` unless the user
        already picked one that is still open."""
        current = self.picker.currentData()
        open_states = [s for s in states if s.status not in ("done",)]
        wanted = [(s.key, f"{s.label} — {s.status}") for s in open_states] + [
            (EXTRA, "Extra reading (vitals only)")
        ]
        have = [
            (self.picker.itemData(i), self.picker.itemText(i)) for i in range(self.picker.count())
        ]
        if have != wanted:
            self.picker.blockSignals(True)
            self.picker.clear()
            for key, text in wanted:
                self.picker.addItem(text, key)
            self.picker.blockSignals(False)
            keys = [k for k, _t in wanted]
            keep = current if current in keys else preferred if preferred in keys else EXTRA
            self.picker.setCurrentIndex(keys.index(keep))
            self._picked()

    def select(self, key: str) -> None:
        index = self.picker.findData(key)
        if index >= 0:
            self.picker.setCurrentIndex(index)

    def current_key(self) -> str:
        return str(self.picker.currentData() or EXTRA)

    def submit(self) -> None:
        """Check the scales, then confirm the vitals (which emits `submitted` when valid)."""
        self.vitals.confirm()

    def reset(self) -> None:
        self.vitals.clear()
        self.moaas.setCurrentIndex(0)
        for box in (*self.cadss, self.distress):
            box.setValue(UNRATED)
        self.nausea.setCurrentIndex(0)
        self.note.clear()
        self.missed_reason.clear()
        self.clear_errors()

    def clear_errors(self) -> None:
        for message in self.errors.values():
            message.show_message("")

    def show_error(self, field: str, message: str) -> None:
        """Show a service FieldError at its field (vitals fields go to the vitals form)."""
        target = {"text": "note", "reason": "checkpoint", "measured_at": "form"}.get(field, field)
        box = self.errors.get(target)
        (box or self.errors["form"]).show_message(message)

    # --- behaviour ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.submit()
            return True
        return super().eventFilter(watched, event)

    def _picked(self, _index: int = -1) -> None:
        extra = self.current_key() == EXTRA
        for w in self._scale_widgets:
            w.setVisible(not extra)
        self.missed_reason.setEnabled(not extra)
        self.missed_button.setEnabled(not extra)
        self.save.setText("Save extra reading" if extra else "Save checkpoint")
        self.clear_errors()

    def _update_cadss_total(self, _value: int = 0) -> None:
        scored = [b.value() for b in self.cadss if b.value() != UNRATED]
        if not scored:
            self.cadss_total.setText("total —")
        elif len(scored) < len(self.cadss):
            self.cadss_total.setText(f"total — ({len(scored)} of {len(self.cadss)} rated)")
        else:
            self.cadss_total.setText(f"total {sum(scored)} / 24")

    def _vitals_confirmed(self, values: VitalsValues, measured_at: datetime) -> None:
        self.clear_errors()
        key = self.current_key()
        if key == EXTRA:
            self.submitted.emit(
                CheckpointEntry(key, values, measured_at, None, None, None, None, "")
            )
            return
        moaas = self.moaas.currentData()
        if moaas is None:
            self.show_error("moaas", "Choose the MOAA/S level (0–5).")
            self.moaas.setFocus()
            return
        scored = [b.value() for b in self.cadss]
        if any(v != UNRATED for v in scored) and UNRATED in scored:
            self.show_error("cadss6", "Rate all six CADSS items (0–4), or none.")
            self.cadss[scored.index(UNRATED)].setFocus()
            return
        cadss = tuple(scored) if UNRATED not in scored else None
        nausea = self.nausea.currentData()
        distress = self.distress.value()
        self.submitted.emit(
            CheckpointEntry(
                key,
                values,
                measured_at,
                int(moaas),
                cadss,
                None if nausea is None else int(nausea),
                None if distress == UNRATED else distress,
                self.note.text(),
            )
        )

    def _mark_missed(self) -> None:
        self.clear_errors()
        self.missed.emit(self.current_key(), self.missed_reason.text())
