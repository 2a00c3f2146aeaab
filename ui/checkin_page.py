"""The Check-in phase page (the guide's part): checklist, baseline vitals and the BP gate, ratings,
the indication's scale and the intention.

Every entry is committed the moment it is confirmed (Enter or leaving a field, a tick, the last
scale answer): there is no Save button to forget. `load()` shows everything stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QHideEvent, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from companion.clinical.plausibility import VitalsValues
from companion.errors import FieldError
from companion.roles import Action
from companion.services.checkin import (
    MEDICATION_FLAGS,
    CheckInIncomplete,
    CheckInState,
    format_recent_time,
    parse_recent_time,
)
from companion.services.sessions import SessionRow
from companion.services.vitals import ReadingRow
from companion.storage.models import INDICATION_LABELS, Phase
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.phase_page import PhasePage
from ui.theme import restyle
from ui.util import hm
from ui.widgets.scale_form import ScaleForm
from ui.widgets.vitals_form import VitalsForm

STATUS_REFRESH_MS = 30_000  # fasting "… ago" lines move on while the page is open
# A second Enter on an unchanged form is not a re-take (a re-take withdraws a BP acknowledgement).
SAME_READING_WINDOW = timedelta(minutes=2)
# The theme leaves check box indicators to the style, which draws them almost invisible on the
# dim background; palette references (not colours) keep both themes right.
_STYLE = """
QCheckBox::indicator { width: 18px; height: 18px; border: 2px solid palette(text);
    border-radius: 4px; background: palette(base); }
QCheckBox::indicator:checked { background: palette(highlight); border-color: palette(highlight); }
QCheckBox::indicator:disabled { border-color: palette(mid); }
"""
_BOOLS = (
    ("medication_changes_reviewed", "Medication changes reviewed"),
    ("consent_on_file", "Consent on file"),
    ("touch_consent", "Touch consent (supportive touch during the session)"),
    ("no_substances_today", "No alcohol or other substances today"),
)


def _set_prop(widget: QWidget, name: str, value: str) -> None:
    if widget.property(name) != value:
        widget.setProperty(name, value)
        restyle(widget)


def reading_text(r: ReadingRow) -> str:
    v = r.values
    parts = [
        f"BP {v.systolic}/{v.diastolic}" if v.systolic is not None else "",
        f"pulse {v.pulse}" if v.pulse is not None else "",
        f"SpO2 {v.spo2} %" if v.spo2 is not None else "",
        f"resp {v.respiration}" if v.respiration is not None else "",
        f"{v.temperature_c:.1f} °C" if v.temperature_c is not None else "",
        f"{v.weight_kg:.1f} kg" if v.weight_kg is not None else "",
        f"NEWS2 {r.news2_total}" if r.news2_total is not None else "",
    ]
    return f"Stored (measured {hm(r.measured_at)}): " + " · ".join(p for p in parts if p)


class CheckInPage(PhasePage):
    phase = Phase.CHECK_IN

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("checkin_page")
        self.setStyleSheet(_STYLE)
        self.state: CheckInState | None = None
        self._shown: dict[str, str] = {}  # text last shown from the database, per field
        self.scale_form: ScaleForm | None = None
        self._scale_session: int | None = None
        self._editable = False

        self.alerts = QLabel()
        named(self.alerts, "checkin_alerts", "Open safety alerts")
        self.alerts.setProperty("role", "banner")
        self.alerts.setProperty("flag", "alarming")
        self.alerts.setWordWrap(True)
        self.alerts.hide()

        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self._build_checklist())
        left.addWidget(self._build_vitals())
        left.addStretch(1)
        right.addWidget(self._build_ratings())
        self.scale_box = QGroupBox("Scale")
        self.scale_box.setObjectName("checkin_scale_box")
        self.scale_layout = QVBoxLayout(self.scale_box)
        right.addWidget(self.scale_box)
        right.addWidget(self._build_intention())
        right.addStretch(1)
        self.content = QWidget()
        columns = QHBoxLayout(self.content)
        columns.setContentsMargins(0, 0, 8, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("checkin_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll_area.setWidget(self.content)

        self.status = QLabel()
        self.status.setObjectName("checkin_status")
        self.status.setWordWrap(True)
        self.complete_button = named(
            QPushButton("Check-in complete → Centering"),
            "checkin_complete",
            "Check-in complete, go to centering",
        )
        self.complete_button.setProperty("primary", "true")
        self.complete_button.clicked.connect(self.complete)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.complete_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.alerts)
        layout.addWidget(self.scroll_area, 1)
        layout.addLayout(bar)

        self._tick = QTimer(self)
        self._tick.setInterval(STATUS_REFRESH_MS)
        self._tick.timeout.connect(self.refresh_status)

    # --- construction -------------------------------------------------------------------------

    def _line(self, key: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = named(QLineEdit(), f"checkin_{key}", accessible)
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(2000 if key == "medication_notes" else 120)
        edit.editingFinished.connect(lambda k=key: self._text_done(k))
        self.edits[key] = edit
        self.messages[key] = FieldMessage(f"checkin_{key}_error")
        return edit

    def _build_checklist(self) -> QGroupBox:
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, FieldMessage] = {}
        self.checks: dict[str, QCheckBox] = {}
        self.fasting: dict[str, QLabel] = {}
        box = QGroupBox("Checklist")
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        row = 0
        rows = (
            ("last_food_at", "Last food", "Time of last food", "HH:MM, e.g. 07:30"),
            ("last_drink_at", "Last drink", "Time of last drink", "HH:MM"),
            ("driver_name", "Driver", "Designated driver's name", "Name of who drives them home"),
            ("driver_phone", "Driver's phone", "Designated driver's phone", "+1 555 0100"),
        )
        for key, label, accessible, hint in rows:
            caption = QLabel(label)
            edit = self._line(key, accessible, hint)
            caption.setBuddy(edit)
            grid.addWidget(caption, row, 0)
            grid.addWidget(edit, row, 1)
            row += 1
            if key in ("last_food_at", "last_drink_at"):
                status = QLabel()
                status.setObjectName(f"checkin_{key}_status")
                status.setWordWrap(True)
                self.fasting[key] = status
                grid.addWidget(status, row, 1)
                row += 1
            grid.addWidget(self.messages[key], row, 1)
            row += 1
        for key, label in _BOOLS[:1]:
            grid.addWidget(self._check(key, label), row, 0, 1, 2)
            row += 1
        flags = QGridLayout()
        flags.setContentsMargins(24, 0, 0, 0)
        self.cautions: dict[str, QLabel] = {}
        for i, f in enumerate(MEDICATION_FLAGS):
            check = self._check(f"med_{f.key}", f.label)
            caution = QLabel(f.caution)
            caution.setObjectName(f"checkin_med_{f.key}_caution")
            caution.setProperty("flag", "abnormal")
            caution.setWordWrap(True)
            self.cautions[f.key] = caution
            flags.addWidget(check, i, 0)
            flags.addWidget(caution, i, 1)
        flags.setColumnStretch(1, 1)
        grid.addLayout(flags, row, 0, 1, 2)
        row += 1
        notes = self._line("medication_notes", "Medication notes", "Changes, doses, timing…")
        grid.addWidget(QLabel("Medication notes"), row, 0)
        grid.addWidget(notes, row, 1)
        grid.addWidget(self.messages["medication_notes"], row + 1, 1)
        row += 2
        for key, label in _BOOLS[1:]:
            grid.addWidget(self._check(key, label), row, 0, 1, 2)
            row += 1
        return box

    def _check(self, key: str, label: str) -> QCheckBox:
        check = named(QCheckBox(label), f"checkin_{key}", label)
        check.toggled.connect(lambda _on, k=key: self._check_toggled(k))
        self.checks[key] = check
        return check

    def _build_vitals(self) -> QGroupBox:
        box = QGroupBox("Baseline vitals (weight needed for dosing)")
        self.vitals = VitalsForm(self.ctx.clock, show_weight=True)
        self.vitals.confirmed.connect(self._vitals_confirmed)
        self.baseline_stored = QLabel()
        self.baseline_stored.setObjectName("checkin_baseline_stored")
        self.baseline_stored.setWordWrap(True)
        self.baseline_flags = QLabel()
        self.baseline_flags.setObjectName("checkin_baseline_flags")
        self.baseline_flags.setWordWrap(True)
        self.baseline_error = FieldMessage("checkin_baseline_error")
        self.gate_label = QLabel()
        named(self.gate_label, "checkin_bp_gate", "Blood pressure gate status")
        self.gate_label.setWordWrap(True)
        self.gate_reason = named(QLineEdit(), "checkin_bp_reason", "Reason for acknowledging")
        self.gate_reason.setMaxLength(2000)
        self.gate_reason.returnPressed.connect(self.acknowledge_gate)
        self.gate_button = named(
            QPushButton("Acknowledge BP gate"), "checkin_bp_ack", "Acknowledge BP gate"
        )
        self.gate_button.clicked.connect(self.acknowledge_gate)
        self.gate_message = FieldMessage("checkin_bp_reason_error")
        ack = QHBoxLayout()
        ack.addWidget(self.gate_reason, 1)
        ack.addWidget(self.gate_button)
        layout = QVBoxLayout(box)
        for w in (self.vitals, self.baseline_error, self.baseline_stored, self.baseline_flags):
            layout.addWidget(w)
        layout.addWidget(self.gate_label)
        layout.addLayout(ack)
        layout.addWidget(self.gate_message)
        return box

    def _build_ratings(self) -> QGroupBox:
        box = QGroupBox("Before the session: mood and anxiety, 0 (none) to 10 (extreme)")
        grid = QGridLayout(box)
        for i, (key, label) in enumerate((("mood_pre", "Mood"), ("anxiety_pre", "Anxiety"))):
            edit = self._line(key, f"{label} before the session, 0 to 10", "0–10")
            edit.setMaxLength(4)
            edit.setMaximumWidth(90)
            caption = QLabel(label)
            caption.setBuddy(edit)
            grid.addWidget(caption, 0, 2 * i)
            grid.addWidget(edit, 0, 2 * i + 1)
            grid.addWidget(self.messages[key], 1, 2 * i, 1, 2)
        grid.setColumnStretch(4, 1)
        return box

    def _build_intention(self) -> QGroupBox:
        box = QGroupBox("Intention — in the patient's own words")
        self.intention = named(QPlainTextEdit(), "checkin_intention", "Intention")
        self.intention.setPlaceholderText("Write down what the patient says, as they say it.")
        self.intention.setTabChangesFocus(True)
        self.intention.setFixedHeight(90)
        self.intention.installEventFilter(self)
        self.messages["intention"] = FieldMessage("checkin_intention_error")
        layout = QVBoxLayout(box)
        layout.addWidget(self.intention)
        layout.addWidget(self.messages["intention"])
        return box

    # --- loading and showing ------------------------------------------------------------------

    def load(self, session: SessionRow) -> None:
        if self.session is not None and self.session.id != session.id and self._editable:
            self.flush()  # another session is opened over this one: keep what was typed
        super().load(session)
        state = self.ctx.services.checkin.state(session.id)
        if self.scale_form is None or self._scale_session != session.id:
            if self.scale_form is not None:
                self.scale_form.deleteLater()
            self.scale_form = ScaleForm(state.scale_id)
            self.scale_form.completed.connect(self._scale_completed)
            self.scale_form.finished.connect(lambda: self.intention.setFocus())
            self.scale_layout.addWidget(self.scale_form)
            self._scale_session = session.id
            name = self.scale_form.scale.name
            self.scale_box.setTitle(f"{name} — for {INDICATION_LABELS[session.indication]}")
        if state.scale is not None:
            self.scale_form.set_items(state.scale.items)
        now = self.ctx.clock.now()
        texts = {
            "last_food_at": format_recent_time(state.last_food_at, now),
            "last_drink_at": format_recent_time(state.last_drink_at, now),
            "driver_name": state.driver_name or "",
            "driver_phone": state.driver_phone or "",
            "medication_notes": state.medication_notes or "",
            "mood_pre": "" if state.mood_pre is None else str(state.mood_pre),
            "anxiety_pre": "" if state.anxiety_pre is None else str(state.anxiety_pre),
        }
        for key, text in texts.items():
            self.edits[key].setText(text)
            self.messages[key].show_message("", self.edits[key])
        self._shown = dict(texts, intention=state.intention or "")
        self.intention.setPlainText(state.intention or "")
        ticks = {k: bool(getattr(state, k)) for k, _ in _BOOLS}
        ticks |= {f"med_{f.key}": f.key in state.medication_flags for f in MEDICATION_FLAGS}
        for key, on in ticks.items():
            self.checks[key].blockSignals(True)
            self.checks[key].setChecked(on)
            self.checks[key].blockSignals(False)
        if state.baseline is not None:
            self.vitals.set_values(state.baseline.values)
        else:
            self.vitals.clear()
        self.baseline_error.show_message("")
        self._show(state)

    def _show(self, state: CheckInState) -> None:
        """Everything derived from the stored state (not the inputs being typed in)."""
        self.state = state
        actor = self.ctx.actor
        editable = not state.closed and actor is not None and actor.may(Action.CHECK_IN)
        self.content.setEnabled(editable)
        self._editable = editable
        for key in ("last_food_at", "last_drink_at"):
            line = state.food if key == "last_food_at" else state.drink
            self.fasting[key].setText(line.text)
            _set_prop(self.fasting[key], "flag", "abnormal" if line.met is False else "")
            _set_prop(self.fasting[key], "role", "muted" if line.met is None else "")
        for f in MEDICATION_FLAGS:
            self.cautions[f.key].setVisible(f.key in state.medication_flags)
        base = state.baseline
        self.baseline_stored.setText(reading_text(base) if base else "No baseline stored yet.")
        flags = base.flags if base else ()
        self.baseline_flags.setText("Flags: " + "; ".join(f.text for f in flags) if flags else "")
        worst = "alarming" if any(f.severity == "alarming" for f in flags) else "abnormal"
        _set_prop(self.baseline_flags, "flag", worst if flags else "")
        self._show_gate(state)
        alerts = [
            f"⚠ {a.detail}" + (f"\n{a.escalation}" if a.escalation else "")
            for a in state.open_alerts
        ]
        self.alerts.setText("\n".join(alerts))
        self.alerts.setVisible(bool(alerts))
        self._show_completion(state)

    def _show_gate(self, state: CheckInState) -> None:
        gate, base = state.bp_gate, state.baseline
        bp = f"{base.values.systolic}/{base.values.diastolic}" if base else ""
        if base is None:
            text, flag = f"BP gate {gate.gate}: judged on the baseline blood pressure.", ""
        elif not gate.exceeded:
            text, flag = f"Baseline BP {bp} is within the gate ({gate.gate}).", ""
        elif gate.blocks_dosing:
            text = (
                f"⚠ Baseline BP {bp} is ABOVE the gate ({gate.gate}). Dosing waits until the "
                "physician acknowledges it with a reason."
            )
            flag = "alarming"
        else:
            text = (
                f"Baseline BP {bp} is above the gate ({gate.gate}) — acknowledged by "
                f"{gate.acknowledged_by} at {hm(gate.acknowledged_at)}: “{gate.reason}”"
            )
            flag = "abnormal"
        self.gate_label.setText(text)
        _set_prop(self.gate_label, "flag", flag)
        _set_prop(self.gate_label, "role", "banner" if gate.exceeded else "muted")
        physician = self.ctx.actor is not None and self.ctx.actor.may(Action.ACKNOWLEDGE_BP_GATE)
        for w in (self.gate_reason, self.gate_button):
            w.setVisible(gate.blocks_dosing)
            w.setEnabled(physician and not state.closed)
        self.gate_button.setToolTip("" if physician else "Only a physician can acknowledge.")
        self.gate_reason.setPlaceholderText(
            "Physician's reason (required)" if physician else "Only a physician can acknowledge"
        )

    def _show_completion(self, state: CheckInState) -> None:
        lines = []
        if state.missing:
            lines.append("Still needed: " + "; ".join(state.missing) + ".")
        if state.warnings:
            lines.append("For the physician: " + " · ".join(state.warnings))
        if not lines:
            lines.append("Everything is in place.")
        self.status.setText("\n".join(lines))
        _set_prop(self.status, "flag", "abnormal" if state.missing else "")
        at_check_in = state.phase == Phase.CHECK_IN and not state.closed
        self.complete_button.setEnabled(at_check_in and self._editable)
        self.complete_button.setText(
            "Check-in complete → Centering"
            if at_check_in or state.completed_at is None
            else f"Check-in completed at {hm(state.completed_at)}"
        )

    def refresh_status(self) -> None:
        """Re-read the stored state and update what derives from it (the timer's tick)."""
        if self.session is not None:
            self._show(self.ctx.services.checkin.state(self.session.id))

    # --- committing ---------------------------------------------------------------------------

    def _commit(
        self, what: str, call: Callable[[], CheckInState], key: str | None = None
    ) -> CheckInState | None:
        """Run one service action; a FieldError is shown at field `key`; refusals in a dialog."""
        field = self.edits.get(key or "") or (self.intention if key == "intention" else None)
        message = self.messages.get(key or "")
        try:
            state = attempt(self, what, call)
        except FieldError as e:
            if message is not None:
                message.show_message(e.message, field)
            return None
        except ActionFailed:
            if self.session is not None:
                self.load(self.session)  # show what is really stored
            return None
        if message is not None:
            message.show_message("", field)
        self._show(state)
        self.changed.emit()
        return state

    def _sid(self) -> int:
        assert self.session is not None
        return self.session.id

    def _text_done(self, key: str) -> None:
        text = self.edits[key].text()
        if self.session is None or text == self._shown.get(key):
            return
        svc, actor, sid = self.ctx.services.checkin, self.ctx.require_actor(), self._sid()
        method: Callable[..., CheckInState] = svc.save_checklist
        kwargs: dict[str, object] = {key: text}
        if key in ("last_food_at", "last_drink_at"):
            try:
                kwargs[key] = parse_recent_time(key, text, self.ctx.clock.now())
            except FieldError as e:
                self.messages[key].show_message(e.message, self.edits[key])
                return
        elif key in ("mood_pre", "anxiety_pre"):
            method, kwargs = svc.record_ratings, {key.removesuffix("_pre"): text}
        state = self._commit(f"save {key}", lambda: method(actor, sid, **kwargs), key)
        if state is not None:
            now = self.ctx.clock.now()
            shown = {
                "last_food_at": format_recent_time(state.last_food_at, now),
                "last_drink_at": format_recent_time(state.last_drink_at, now),
                "mood_pre": "" if state.mood_pre is None else str(state.mood_pre),
                "anxiety_pre": "" if state.anxiety_pre is None else str(state.anxiety_pre),
            }.get(key, getattr(state, key, None) or "")
            self.edits[key].setText(shown)  # the stored form: trimmed, "07:30"
            self._shown[key] = shown

    def _intention_done(self) -> None:
        text = self.intention.toPlainText()
        if self.session is None or text == self._shown.get("intention"):
            return
        actor, sid = self.ctx.require_actor(), self._sid()
        state = self._commit(
            "save intention",
            lambda: self.ctx.services.checkin.record_ratings(actor, sid, intention=text),
            "intention",
        )
        if state is not None:
            self._shown["intention"] = state.intention or ""

    def _check_toggled(self, key: str) -> None:
        if self.session is None:
            return
        actor, sid, svc = self.ctx.require_actor(), self._sid(), self.ctx.services.checkin
        kwargs: dict[str, object] = {key: self.checks[key].isChecked()}
        if key.startswith("med_"):
            chosen = [f.key for f in MEDICATION_FLAGS if self.checks[f"med_{f.key}"].isChecked()]
            kwargs = {"medication_flags": chosen}
        method: Callable[..., CheckInState] = svc.save_checklist
        self._commit(f"save {key}", lambda: method(actor, sid, **kwargs))

    def _vitals_confirmed(self, values: VitalsValues, measured_at: datetime) -> None:
        if self.session is None:
            return
        stored = self.state.baseline if self.state is not None else None
        if (
            stored is not None
            and stored.values == values
            and abs(measured_at - stored.measured_at) < SAME_READING_WINDOW
        ):
            return  # the same reading confirmed twice
        actor, sid = self.ctx.require_actor(), self._sid()
        try:
            state = attempt(
                self,
                "save baseline vitals",
                lambda: self.ctx.services.checkin.record_baseline(actor, sid, values, measured_at),
            )
        except FieldError as e:
            self.baseline_error.show_message("Not saved: " + e.message)
            target = {"weight_kg": "weight", "measured_at": "measured_at"}.get(e.field, e.field)
            found = self.vitals.findChild(QWidget, f"vitals_{target}")
            if found is not None:
                found.setFocus()
            return
        except ActionFailed:
            return
        self.baseline_error.show_message("")
        self._show(state)
        self.changed.emit()

    def _scale_completed(self, items: list[int]) -> None:
        if self.session is None or self.scale_form is None:
            return
        actor, sid, scale_id = self.ctx.require_actor(), self._sid(), self.scale_form.scale.id
        try:
            state = attempt(
                self,
                "save scale",
                lambda: self.ctx.services.checkin.record_scale(actor, sid, scale_id, items),
            )
        except FieldError as e:
            self.scale_form.message.show_message(e.message)
            return
        except ActionFailed:
            return
        self._show(state)
        self.changed.emit()

    def acknowledge_gate(self) -> None:
        if self.session is None or not self.gate_button.isEnabled():
            return
        actor, sid, reason = self.ctx.require_actor(), self._sid(), self.gate_reason.text()
        try:
            state = attempt(
                self,
                "acknowledge BP gate",
                lambda: self.ctx.services.checkin.acknowledge_bp_gate(actor, sid, reason),
            )
        except FieldError as e:
            self.gate_message.show_message(e.message, self.gate_reason)
            return
        except ActionFailed:
            return
        self.gate_message.show_message("", self.gate_reason)
        self.gate_reason.clear()
        self._show(state)
        self.changed.emit()

    def flush(self) -> None:
        """Commit any text still being typed (leaving the page, completing)."""
        for key in self.edits:
            self._text_done(key)
        self._intention_done()

    def complete(self) -> None:
        if self.session is None:
            return
        self.flush()
        actor, sid = self.ctx.require_actor(), self._sid()

        def call() -> CheckInState | CheckInIncomplete:
            try:
                return self.ctx.services.checkin.complete(actor, sid)
            except CheckInIncomplete as e:  # shown on the page, not in a dialog
                return e

        try:
            result = attempt(self, "complete check-in", call)
        except (ActionFailed, FieldError):
            return
        if isinstance(result, CheckInIncomplete):
            self.refresh_status()
            _set_prop(self.status, "flag", "alarming")
            self.status.setFocus()
            return
        self._show(result)
        # Not `changed`: the session screen moves on from the phase it last knew (check-in).
        self.advance.emit()

    # --- events -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.intention:
            if event.type() == QEvent.Type.FocusOut:
                self._intention_done()
            elif (
                isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                self._intention_done()
                return True
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._tick.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        if self.session is not None and self.state is not None and not self.state.closed:
            self.flush()
        super().hideEvent(event)
