"""The Dose phase: record the injection, which is T0. The same form records top-ups on the
monitoring page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.clinical.dose import dose_warning, mg_per_kg, parse_dose_mg
from companion.clock import Clock
from companion.errors import FieldError
from companion.roles import Action, Actor
from companion.services.dosing import DEFAULT_DRUG, ROUTES, SITES, DoseRow, DoseSetup
from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.phase_page import PhasePage
from ui.theme import restyle
from ui.util import hm

Kind = Literal["initial", "top-up"]


@dataclass(frozen=True)
class DoseInput:
    drug: str
    dose_mg: float
    route: str
    site: str
    lot_number: str
    administered_at: datetime
    administered_by_id: int


def dose_summary(d: DoseRow) -> str:
    per_kg = f" ({d.mg_per_kg:.2f} mg/kg)" if d.mg_per_kg is not None else ""
    what = "T0 — first dose" if d.kind == "initial" else "Top-up"
    return (
        f"{what}: {d.dose_mg:g} mg {d.drug} {d.route}{per_kg}, {d.site or 'site not given'}, "
        f"lot {d.lot_number or '—'}, at {hm(d.administered_at)} by {d.administered_by}"
    )


class DoseForm(QWidget):
    """Dose entry with mg/kg computed live from the check-in weight and the ceiling warning.

    Signals:
        submitted(DoseInput): the fields parse; the page stores it through the dosing service.
    """

    submitted = Signal(object)

    def __init__(self, clock: Clock, kind: Kind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        p = "dose" if kind == "initial" else "topup"
        self.setObjectName(f"{p}_form")
        self._clock = clock
        self._kind = kind
        self._setup: DoseSetup | None = None
        self._time_edited = False
        self.drug = named(QLineEdit(DEFAULT_DRUG), f"{p}_drug", "Drug")
        self.drug.setMaxLength(60)
        self.dose_mg = named(QLineEdit(), f"{p}_mg", "Dose in milligrams")
        self.dose_mg.setPlaceholderText("mg")
        self.dose_mg.setMaxLength(8)
        self.dose_mg.textChanged.connect(self._update_per_kg)
        self.per_kg = QLabel("")
        self.per_kg.setObjectName(f"{p}_per_kg")
        self.warning = QLabel("")
        self.warning.setObjectName(f"{p}_ceiling_warning")
        self.warning.setWordWrap(True)
        self.warning.setProperty("flag", "alarming")
        self.warning.hide()
        self.route = named(QComboBox(), f"{p}_route", "Route")
        for r in ROUTES:
            self.route.addItem(r, r)
        self.site = named(QComboBox(), f"{p}_site", "Injection site")
        self.site.setEditable(True)
        self.site.addItems(list(SITES))
        self.lot = named(QLineEdit(), f"{p}_lot", "Lot number")
        self.lot.setMaxLength(60)
        self.by = named(QComboBox(), f"{p}_by", "Administered by")
        self.when = named(QDateTimeEdit(), f"{p}_time", "Time of injection")
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.dateTimeChanged.connect(self._time_changed)
        self.now_button = named(QPushButton("Now"), f"{p}_time_now", "Set the time to now")
        self.now_button.clicked.connect(self.reset_time)
        label = "Record dose — sets T0" if kind == "initial" else "Record top-up"
        self.confirm = named(QPushButton(label), f"{p}_confirm", label)
        self.confirm.setProperty("primary", "true")
        self.confirm.clicked.connect(self.submit)
        for edit in (self.drug, self.dose_mg, self.lot):
            edit.returnPressed.connect(self.submit)

        self.errors: dict[str, FieldMessage] = {}
        grid = QGridLayout(self)
        grid.setColumnStretch(2, 1)
        time_row = QHBoxLayout()
        time_row.setContentsMargins(0, 0, 0, 0)
        time_row.addWidget(self.when)
        time_row.addWidget(self.now_button)
        time_holder = QWidget()
        time_holder.setLayout(time_row)
        rows: list[tuple[str, str, QWidget, QWidget | None]] = [
            ("drug", "Drug", self.drug, None),
            ("dose_mg", "Dose (mg)", self.dose_mg, self.per_kg),
            ("route", "Route", self.route, None),
            ("site", "Site", self.site, None),
            ("lot_number", "Lot number", self.lot, None),
            ("administered_by", "Given by", self.by, None),
            ("administered_at", "Time", time_holder, None),
        ]
        for i, (name, text, field, extra) in enumerate(rows):
            caption = QLabel(text)
            caption.setBuddy(field)
            grid.addWidget(caption, 2 * i, 0)
            grid.addWidget(field, 2 * i, 1)
            if extra is not None:
                grid.addWidget(extra, 2 * i, 2)
            self.errors[name] = FieldMessage(f"{p}_{name}_error")
            grid.addWidget(self.errors[name], 2 * i + 1, 1, 1, 2)
        grid.addWidget(self.warning, 2 * len(rows), 0, 1, 3)
        grid.addWidget(self.confirm, 2 * len(rows) + 1, 1)
        self.errors["form"] = FieldMessage(f"{p}_form_error")
        grid.addWidget(self.errors["form"], 2 * len(rows) + 2, 0, 1, 3)
        self.reset_time()

    def set_setup(self, setup: DoseSetup, actor: Actor | None) -> None:
        self._setup = setup
        current = self.by.currentData()
        self.by.clear()
        for staff_id, name in setup.physicians:
            self.by.addItem(name, staff_id)
        preferred = current if current is not None else actor.id if actor is not None else None
        index = self.by.findData(preferred)
        self.by.setCurrentIndex(max(index, 0))
        self._update_per_kg()

    def reset(self) -> None:
        self.dose_mg.clear()
        self.lot.clear()
        self.clear_errors()
        self.reset_time()

    def reset_time(self) -> None:
        self.when.blockSignals(True)
        ms = int(self._clock.now().timestamp() * 1000)
        self.when.setDateTime(QDateTime.fromMSecsSinceEpoch(ms))
        self.when.blockSignals(False)
        self._time_edited = False

    def clear_errors(self) -> None:
        for message in self.errors.values():
            message.show_message("")

    def show_error(self, field: str, message: str) -> None:
        target = self.errors.get(field, self.errors["form"])
        widget = {
            "drug": self.drug,
            "dose_mg": self.dose_mg,
            "lot_number": self.lot,
        }.get(field)
        target.show_message(message, widget)

    def submit(self) -> None:
        self.clear_errors()
        try:
            dose = parse_dose_mg(self.dose_mg.text())
        except FieldError as e:
            self.show_error("dose_mg", e.message)
            self.dose_mg.setFocus()
            return
        by = self.by.currentData()
        if by is None:
            self.show_error("administered_by", "Choose the physician who gave the dose.")
            return
        if self._time_edited:
            ms = self.when.dateTime().toMSecsSinceEpoch()
            when = datetime.fromtimestamp(ms / 1000, UTC)
        else:
            when = self._clock.now()
        self.submitted.emit(
            DoseInput(
                self.drug.text(),
                dose,
                str(self.route.currentData()),
                self.site.currentText(),
                self.lot.text(),
                when,
                int(by),
            )
        )

    def _time_changed(self, _value: QDateTime) -> None:
        self._time_edited = True

    def _update_per_kg(self, _text: str = "") -> None:
        setup = self._setup
        text, warning = "", None
        try:
            dose = parse_dose_mg(self.dose_mg.text()) if self.dose_mg.text().strip() else None
        except FieldError:
            dose = None
        if setup is not None and setup.weight_kg is None:
            text = "no check-in weight: mg/kg unknown"
        elif setup is not None and dose is not None and setup.weight_kg is not None:
            text = f"= {mg_per_kg(dose, setup.weight_kg):.2f} mg/kg  ({setup.weight_kg:g} kg)"
            warning = dose_warning(setup.total_mg + dose, setup.weight_kg, setup.ceiling_mg_per_kg)
        self.per_kg.setText(text)
        self.warning.setText(f"⚠ {warning}" if warning else "")
        self.warning.setVisible(warning is not None)
        flag = "alarming" if warning else ""
        if self.dose_mg.property("flag") != flag:
            self.dose_mg.setProperty("flag", flag)
            restyle(self.dose_mg)


def record(
    ctx: AppContext, parent: QWidget, form: DoseForm, session_id: int, kind: Kind, entry: DoseInput
) -> DoseRow | None:
    """Store a dose from `form`; FieldErrors go to their field, refusals to a dialog."""
    try:
        return attempt(
            parent,
            "record dose",
            lambda: ctx.services.dosing.record_dose(
                ctx.require_actor(),
                session_id,
                entry.drug,
                entry.dose_mg,
                entry.route,
                entry.site,
                entry.lot_number,
                entry.administered_at,
                entry.administered_by_id,
                kind=kind,
            ),
        )
    except FieldError as e:
        form.show_error(e.field, e.message)
    except ActionFailed:
        pass
    return None


class DosePage(PhasePage):
    phase = Phase.DOSE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("dose_page")
        heading = QLabel("Dose — the injection is T0")
        heading.setProperty("role", "heading")
        self.blockers = QLabel("")
        self.blockers.setObjectName("dose_blockers")
        self.blockers.setProperty("role", "banner")
        self.blockers.setProperty("flag", "alarming")
        self.blockers.setWordWrap(True)
        self.done = QLabel("")
        self.done.setObjectName("dose_recorded")
        self.done.setProperty("role", "banner")
        self.done.setWordWrap(True)
        self.form = DoseForm(ctx.clock, "initial")
        self.form.submitted.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.blockers)
        layout.addWidget(self.done)
        layout.addWidget(self.form)
        layout.addStretch(1)
        self.blockers.hide()
        self.done.hide()

    def load(self, session: SessionRow) -> None:
        super().load(session)
        self.refresh()

    def refresh(self) -> None:
        if self.session is None:
            return
        # The screen loads every page once on open; the phase may have moved on since.
        self.session = self.ctx.services.sessions.get(self.session.id)
        setup = self.ctx.services.dosing.setup(self.session.id)
        actor = self.ctx.actor
        self.form.set_setup(setup, actor)
        reasons = list(setup.blockers)
        if actor is None or not actor.may(Action.DOSE):
            reasons.insert(0, "Only a physician can record the dose: sign in as the physician.")
        if setup.t0 is not None:
            reasons = []
            self.done.setText(
                "\n".join(dose_summary(d) for d in setup.doses)
                + "\nTop-up doses are recorded on the Monitoring page."
            )
        self.done.setVisible(setup.t0 is not None)
        self.form.setVisible(setup.t0 is None)
        self.blockers.setText("Dosing is not possible yet:\n• " + "\n• ".join(reasons))
        self.blockers.setVisible(bool(reasons))
        self.form.setEnabled(not reasons)

    def _submit(self, entry: DoseInput) -> None:
        if self.session is None:
            return
        phase_before = self.ctx.services.sessions.get(self.session.id).phase
        row = record(self.ctx, self, self.form, self.session.id, "initial", entry)
        if row is None:
            return
        self.form.reset()
        self.refresh()
        # The service moved the session to monitoring. The session screen's "advance" steps on
        # from the phase it last saw, so only use it when that phase is Dose itself.
        if phase_before == Phase.DOSE:
            self.advance.emit()
        else:
            self.changed.emit()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.form.reset_time()
        self.refresh()
