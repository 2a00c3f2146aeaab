"""The Discharge phase: the readiness checklist with PADSS, and the discharge itself.

Left, every criterion with its state in words and colour, re-evaluated as the form changes (by
the same rule the service stores). Right, the facts the app already holds beside each thing the
clinician confirms. With an unmet criterion only a physician can discharge, giving a reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
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

from companion.clinical.tables import MOAAS_LEVELS, PADSS_FIT_MIN, PADSS_MAX
from companion.errors import FieldError, NotAllowedNow
from companion.roles import Action
from companion.services.discharge import (
    CRITERION_LABELS,
    DRIVING_INSTRUCTIONS,
    AssessmentEntry,
    AssessmentRow,
    DischargeInputs,
    evaluate,
)
from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.phase_page import PhasePage
from ui.theme import restyle
from ui.util import hm

# PADSS item wording (Chung's modified PADSS, as adapted in companion/clinical/padss.py).
PADSS_CHOICES = {
    "padss_activity": (
        "Activity / mental status",
        ["Steady gait, no dizziness, oriented", "Needs assistance to walk", "Unable to walk"],
    ),
    "padss_nausea": (
        "Nausea / vomiting",
        ["None or minimal", "Moderate, settled with treatment", "Severe, continuing"],
    ),
    "padss_pain": ("Pain", ["None or minimal", "Moderate, controlled", "Severe"]),
}
VITALS_MEANING = {2: "within 20 % of baseline", 1: "20–40 % from baseline", 0: "over 40 % away"}
STATE_TEXT = {"met": ("✓ Met", "ok"), "unmet": ("✗ Not met", "abnormal"), "open": ("… To do", "")}


def _shrinkable(combo: QComboBox) -> None:
    """Long item wording must not widen the page past the window (it elides instead)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(18)


class DischargePage(PhasePage):
    phase = Phase.DISCHARGE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("discharge_page")
        self.inputs: DischargeInputs | None = None

        title = QLabel("Discharge readiness")
        title.setProperty("role", "heading")
        self.status = QLabel("")
        self.status.setObjectName("discharge_status")
        self.status.setProperty("role", "banner")
        self.status.setWordWrap(True)

        # Left: the checklist.
        checklist = QGroupBox("Criteria")
        grid = QGridLayout(checklist)
        grid.setVerticalSpacing(2)
        grid.setHorizontalSpacing(12)
        grid.setColumnStretch(1, 1)
        self.state_labels: dict[str, QLabel] = {}
        self.detail_labels: dict[str, QLabel] = {}
        for i, (key, label) in enumerate(CRITERION_LABELS.items()):
            state = QLabel("")
            state.setObjectName(f"criterion_{key}_state")
            state.setMinimumWidth(104)
            name = QLabel(f"<b>{label}</b>")
            name.setWordWrap(True)
            detail = QLabel("")
            detail.setObjectName(f"criterion_{key}_detail")
            detail.setProperty("role", "muted")
            detail.setWordWrap(True)
            # Name over its fact, leaving room for both at the narrow left column.
            grid.addWidget(state, 2 * i, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(name, 2 * i, 1)
            grid.addWidget(detail, 2 * i + 1, 1)
            grid.setRowMinimumHeight(2 * i + 1, 28)
            self.state_labels[key], self.detail_labels[key] = state, detail
        rows = 2 * len(CRITERION_LABELS)
        self.padss_total_label = QLabel("")
        self.padss_total_label.setObjectName("padss_total")
        self.padss_total_label.setProperty("role", "heading")
        note = QLabel(
            f"PADSS here scores four items 0–2 (max {PADSS_MAX}); fit at {PADSS_FIT_MIN} or "
            "more. Bleeding does not apply after an IM injection, so it is left out."
        )
        note.setProperty("role", "muted")
        note.setWordWrap(True)
        grid.addWidget(note, rows, 0, 1, 2)

        # Right: what the clinician confirms, each beside its facts.
        form_box = QGroupBox("Assessment")
        form = QFormLayout(form_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.vitals_fact = self._fact("discharge_vitals_fact")
        form.addRow("Vital signs", self.vitals_fact)
        self.combos: dict[str, QComboBox] = {}
        self.nausea_fact = self._fact("discharge_nausea_fact")
        for key, (label, meanings) in PADSS_CHOICES.items():
            combo = named(QComboBox(), key, f"PADSS {label}")
            combo.setPlaceholderText("Choose…")
            for score, meaning in zip((2, 1, 0), meanings, strict=True):
                combo.addItem(f"{score} — {meaning}", score)
            combo.setCurrentIndex(-1)
            _shrinkable(combo)
            self.combos[key] = combo
            form.addRow(label, combo)
            if key == "padss_nausea":
                form.addRow("", self.nausea_fact)
        self.moaas = named(QComboBox(), "moaas", "MOAA/S now")
        self.moaas.setPlaceholderText("Choose…")
        for level in sorted(MOAAS_LEVELS, reverse=True):
            self.moaas.addItem(f"{level} — {MOAAS_LEVELS[level]}", level)
        _shrinkable(self.moaas)
        self.combos["moaas"] = self.moaas
        form.addRow("MOAA/S now", self.moaas)
        self.moaas_fact = self._fact("discharge_moaas_fact")
        form.addRow("", self.moaas_fact)
        self.checks: dict[str, QCheckBox] = {}
        for key, text in [
            ("dissociation_resolved", "Dissociation resolved"),
            ("steady_gait", "Steady gait: walked unaided"),
            ("nausea_controlled", "Nausea controlled"),
            ("driver_present", "Designated driver is here"),
            ("instructions_given", "Discharge instructions given"),
        ]:
            self.checks[key] = named(QCheckBox(text), key, text)
        self.cadss_fact = self._fact("discharge_cadss_fact")
        form.addRow(self.checks["dissociation_resolved"], self.cadss_fact)
        form.addRow(self.checks["steady_gait"])
        form.addRow(self.checks["nausea_controlled"])
        self.driver_name = named(QLineEdit(), "driver_name", "Driver's name (as confirmed)")
        self.driver_name.setMaxLength(120)
        self.driver_msg = FieldMessage("driver_name_error")
        form.addRow(self.checks["driver_present"], self.driver_name)
        form.addRow("", self.driver_msg)
        instructions = self._fact("discharge_instructions_text")
        instructions.setText(DRIVING_INSTRUCTIONS)
        form.addRow(self.checks["instructions_given"], instructions)
        self.form_msg = FieldMessage("discharge_form_error")
        form.addRow(self.form_msg)

        self.override_box = QGroupBox("Physician override")
        self.override_box.setObjectName("override_box")
        ov = QVBoxLayout(self.override_box)
        self.override_text = QLabel("")
        self.override_text.setWordWrap(True)
        self.reason = named(QPlainTextEdit(), "override_reason", "Reason for discharging anyway")
        self.reason.setPlaceholderText(
            "Why the patient is safe to leave despite the unmet criteria"
        )
        self.reason.setFixedHeight(80)
        self.reason_msg = FieldMessage("override_reason_error")
        ov.addWidget(self.override_text)
        ov.addWidget(self.reason)
        ov.addWidget(self.reason_msg)

        self.record_button = named(
            QPushButton("Record assessment"), "record_assessment", "Record assessment"
        )
        self.discharge_button = named(
            QPushButton("Discharge patient"), "discharge_button", "Discharge patient"
        )
        self.discharge_button.setProperty("primary", True)
        self.record_button.clicked.connect(self.record)
        self.discharge_button.clicked.connect(self.discharge)
        # The actions sit at the top, visible without scrolling.
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        header.addWidget(self.padss_total_label)
        header.addSpacing(24)
        header.addWidget(self.record_button)
        header.addWidget(self.discharge_button)

        left = QVBoxLayout()
        left.addWidget(checklist)
        left.addWidget(self.override_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(form_box)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(header)
        layout.addWidget(self.status)
        layout.addLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        for combo in self.combos.values():
            combo.currentIndexChanged.connect(self._preview)
        for box in self.checks.values():
            box.toggled.connect(self._preview)
        self.driver_name.textChanged.connect(self._preview)

    @staticmethod
    def _fact(object_name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(object_name)
        label.setProperty("role", "muted")
        label.setWordWrap(True)
        return label

    # --- loading -----------------------------------------------------------------------------

    def load(self, session: SessionRow) -> None:
        super().load(session)
        self.refresh(reset_form=True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.session is not None:
            self.refresh(reset_form=False)  # minutes since T0 and new readings

    def refresh(self, reset_form: bool) -> None:
        if self.session is None:
            return
        try:
            i = self.inputs = self.ctx.services.discharge.assessment_inputs(self.session.id)
        except NotAllowedNow as exc:  # a broken protocol file: say so, change nothing
            self.inputs = None
            self.status.setText(str(exc))
            for w in (self.record_button, self.discharge_button):
                w.setEnabled(False)
            return
        self.vitals_fact.setText(self._vitals_text(i))
        m = i.moaas_latest
        self.moaas_fact.setText(
            f"Latest checkpoint: {m[0]} at {hm(m[1])}; target {i.moaas_target}"
            if m
            else f"No MOAA/S recorded yet; target {i.moaas_target}"
        )
        c, n = i.cadss_latest, i.nausea_latest
        self.cadss_fact.setText(
            f"Latest CADSS-6: {c[0]}/24 at {hm(c[1])}" if c else "No CADSS-6 recorded"
        )
        self.nausea_fact.setText(
            f"Latest nausea rating: {n[0]}/10 at {hm(n[1])}" if n else "No nausea rating recorded"
        )
        if reset_form:
            self._fill_form(i)
        self._show_status(i)
        self._preview()

    def _fill_form(self, i: DischargeInputs) -> None:
        a = i.assessment.entry if i.assessment is not None else None
        for key, combo in self.combos.items():
            value = (
                getattr(a, key)
                if a
                else (i.moaas_latest[0] if key == "moaas" and i.moaas_latest else None)
            )
            combo.setCurrentIndex(combo.findData(value) if value is not None else -1)
        for key, box in self.checks.items():
            box.setChecked(bool(a and getattr(a, key)))
        self.driver_name.setText(a.driver_name if a and a.driver_name else i.driver_name or "")
        self.reason.clear()

    @staticmethod
    def _vitals_text(i: DischargeInputs) -> str:
        if i.baseline is None:
            return "No check-in baseline: PADSS cannot compare vitals."
        if i.latest is None or i.padss_vitals is None:
            return "No blood pressure and pulse since the dose: record the before-discharge checkpoint."
        lat, base = i.latest, i.baseline
        sys_pct, pulse_pct = i.systolic_change_pct or 0, i.pulse_change_pct or 0
        # No-break spaces keep "+6 %" whole when the fact wraps.
        return (
            f"{i.padss_vitals} — {VITALS_MEANING[i.padss_vitals]}. "
            f"BP {lat.systolic}/{lat.diastolic} at {hm(i.latest_at)} vs {base.systolic}/"
            f"{base.diastolic}: {sys_pct:+.0f}\u00a0%; pulse {lat.pulse} vs {base.pulse}: "
            f"{pulse_pct:+.0f}\u00a0%"
        )

    def _show_status(self, i: DischargeInputs) -> None:
        a = i.assessment
        may_assess = self.ctx.actor is not None and self.ctx.actor.may(Action.ASSESS_DISCHARGE)
        done = i.discharged_at is not None
        if i.t0 is None:
            text = "No dose recorded yet: discharge comes after the dose and the observation time."
        elif done and a is not None:
            text = f"Discharged at {hm(i.discharged_at)}; assessed by {a.assessed_by}."
            if a.override_reason:
                text += f"\nOverride by {a.override_by}: {a.override_reason}"
        elif a is None:
            text = "Not assessed yet. Confirm each item, then record the assessment."
        else:
            verdict = "all criteria met" if a.criteria_met else "not met: " + ", ".join(a.unmet)
            text = f"Assessed at {hm(a.assessed_at)} by {a.assessed_by} — {verdict}."
        self.status.setText(text)
        editable = may_assess and not done and i.t0 is not None
        for w in [*self.combos.values(), *self.checks.values(), self.driver_name, self.reason]:
            w.setEnabled(editable)
        self.record_button.setEnabled(editable)
        self.discharge_button.setEnabled(editable)

    # --- the live checklist ------------------------------------------------------------------

    def entry(self) -> AssessmentEntry | None:
        """The form as an entry, or None while a score is still to be chosen."""
        values = {k: c.currentData() for k, c in self.combos.items()}
        if any(v is None for v in values.values()):
            return None
        return AssessmentEntry(
            **values,
            **{k: b.isChecked() for k, b in self.checks.items()},
            driver_name=self.driver_name.text(),
        )

    def _preview(self) -> None:
        i = self.inputs
        if i is None:
            return
        entry = self.entry()
        checks = {k: b.isChecked() for k, b in self.checks.items()}
        # While a score is unchosen, evaluate with zeros and show those rows as still to do.
        probe = entry or AssessmentEntry(
            moaas=0,
            padss_activity=0,
            padss_nausea=0,
            padss_pain=0,
            driver_name=self.driver_name.text(),
            **checks,
        )
        open_keys: set[str] = set()
        if any(self.combos[k].currentData() is None for k in PADSS_CHOICES):
            open_keys.add("padss")
        if self.moaas.currentData() is None:
            open_keys.add("moaas")
        not_yet: list[str] = []
        for c in evaluate(i, probe):
            state = "open" if c.key in open_keys else "met" if c.met else "unmet"
            if state != "met":
                not_yet.append(c.label)
            text, flag = STATE_TEXT[state]
            label = self.state_labels[c.key]
            label.setText(text)
            label.setProperty("flag", flag)
            restyle(label)
            self.detail_labels[c.key].setText("" if state == "open" else c.detail)
        if i.assessment is None and i.discharged_at is None and i.t0 is not None:
            # Before anything is recorded, the banner says at a glance what is still open.
            self.status.setText(
                "Not recorded yet. "
                + (f"Still open: {', '.join(not_yet)}." if not_yet else "Every criterion is met.")
            )
        total = None
        if i.padss_vitals is not None and all(
            self.combos[k].currentData() is not None for k in PADSS_CHOICES
        ):
            total = i.padss_vitals + sum(self.combos[k].currentData() for k in PADSS_CHOICES)
        self.padss_total_label.setText(
            "PADSS —"
            if total is None
            else f"PADSS {total}/{PADSS_MAX} — {'fit' if total >= PADSS_FIT_MIN else 'not fit'}"
        )
        a = i.assessment
        needs_override = a is not None and not a.criteria_met and i.discharged_at is None
        self.override_box.setVisible(needs_override)
        if needs_override and a is not None:
            physician = self.ctx.actor is not None and self.ctx.actor.may(Action.OVERRIDE_DISCHARGE)
            self.override_text.setText(
                "Recorded assessment has unmet criteria: "
                + ", ".join(a.unmet)
                + ". "
                + (
                    "Discharge anyway only with a reason."
                    if physician
                    else "Only a physician can discharge now, with a reason."
                )
            )
            self.reason.setEnabled(physician)

    # --- actions -----------------------------------------------------------------------------

    def record(self) -> AssessmentRow | None:
        """Store the assessment as the form shows it; messages appear at the field."""
        if self.session is None:
            return None
        self.form_msg.show_message("")
        self.driver_msg.show_message("", self.driver_name)
        entry = self.entry()
        if entry is None:
            self.form_msg.show_message("Choose a score for each PADSS item and the MOAA/S level.")
            return None
        actor, sid = self.ctx.require_actor(), self.session.id
        try:
            row = attempt(
                self,
                "record the discharge assessment",
                lambda: self.ctx.services.discharge.assess(actor, sid, entry),
            )
        except FieldError as exc:
            if exc.field == "driver_name":
                self.driver_msg.show_message(exc.message, self.driver_name)
            else:
                self.form_msg.show_message(exc.message)
            return None
        except ActionFailed:
            return None
        self.refresh(reset_form=False)
        self.changed.emit()
        return row

    def discharge(self) -> None:
        """Record the assessment as shown, then discharge (with the reason if one is needed)."""
        if self.session is None:
            return
        actor, sid = self.ctx.require_actor(), self.session.id
        row = self.record()
        if row is None:
            return
        reason = None if row.criteria_met else self.reason.toPlainText()
        self.reason_msg.show_message("", None)
        try:
            attempt(
                self, "discharge", lambda: self.ctx.services.discharge.discharge(actor, sid, reason)
            )
        except FieldError as exc:
            self.reason_msg.show_message(exc.message, None)
            self.reason.setFocus()
            return
        except ActionFailed:
            return
        self.refresh(reset_form=False)
        # `changed` first so the screen holds the new phase before it advances past it.
        self.changed.emit()
        self.advance.emit()
