"""Today: find or add a patient, start a session, and see today's sessions (in progress first)."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.roles import Action
from companion.services.patients import PatientRow
from companion.services.sessions import SessionRow
from companion.storage.models import INDICATION_LABELS, PHASE_LABELS, SessionStatus
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.dialogs import AddPatientDialog
from ui.forms import make_table, named
from ui.table_models import RowTableModel
from ui.util import hm


def _status(row: SessionRow) -> str:
    if row.status == SessionStatus.IN_PROGRESS:
        return f"In progress — {PHASE_LABELS[row.phase]}"
    return row.status.value.replace("_", " ").capitalize()


class TodayScreen(QWidget):
    """Signals: open_session(int) when a session should be shown in the Session screen."""

    open_session = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("today_screen")
        self._ctx = ctx

        self.sessions_model: RowTableModel[SessionRow] = RowTableModel(
            [
                ("Started", lambda r: hm(r.started_at)),
                ("Patient", lambda r: r.patient_name),
                ("Chart", lambda r: r.chart_number),
                ("Session", lambda r: f"#{r.number_in_course}"),
                ("Status", _status),
            ]
        )
        self.sessions_view = make_table(self.sessions_model, "today_sessions", "Today's sessions")
        self.sessions_view.activated.connect(self._open_selected_session)
        self.open_button = named(QPushButton("Open session"), "today_open_session", "Open session")
        self.open_button.clicked.connect(self._open_selected_session)

        self.search = named(QLineEdit(), "patient_search", "Find patient")
        self.search.setPlaceholderText("Find a patient by name or chart number…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.refresh_patients)
        self.patients_model: RowTableModel[PatientRow] = RowTableModel(
            [
                ("Patient", lambda r: f"{r.family_name}, {r.given_name}"),
                ("Chart", lambda r: r.chart_number),
                ("Born", lambda r: r.date_of_birth.isoformat()),
                ("Indication", lambda r: INDICATION_LABELS[r.indication]),
                ("Sessions", lambda r: r.sessions_done),
            ]
        )
        self.patients_view = make_table(self.patients_model, "patient_list", "Patients")
        self.patients_view.activated.connect(lambda _i: self._start_session())
        self.add_button = named(QPushButton("Add patient…"), "patient_add", "Add patient")
        self.add_button.clicked.connect(self._add_patient)
        self.start_button = named(
            QPushButton("Start session"), "session_start", "Start session for selected patient"
        )
        self.start_button.setProperty("primary", True)
        self.start_button.clicked.connect(self._start_session)

        title = QLabel("Today")
        title.setProperty("role", "title")
        sessions_heading = QLabel("Sessions")
        sessions_heading.setProperty("role", "heading")
        patients_heading = QLabel("Patients")
        patients_heading.setProperty("role", "heading")

        session_buttons = QHBoxLayout()
        session_buttons.addStretch(1)
        session_buttons.addWidget(self.open_button)
        patient_buttons = QHBoxLayout()
        patient_buttons.addWidget(self.add_button)
        patient_buttons.addStretch(1)
        patient_buttons.addWidget(self.start_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(sessions_heading)
        layout.addWidget(self.sessions_view, 2)
        layout.addLayout(session_buttons)
        layout.addSpacing(8)
        layout.addWidget(patients_heading)
        layout.addWidget(self.search)
        layout.addWidget(self.patients_view, 3)
        layout.addLayout(patient_buttons)
        self.apply_permissions()

    def apply_permissions(self) -> None:
        actor = self._ctx.actor
        self.add_button.setEnabled(actor is not None and actor.may(Action.ADD_PATIENT))
        self.start_button.setEnabled(actor is not None and actor.may(Action.START_SESSION))

    def refresh(self) -> None:
        now = self._ctx.clock.now().astimezone()
        self.sessions_model.set_rows(
            self._ctx.services.sessions.for_day(now.date(), now.utcoffset() or timedelta(0))
        )
        self.refresh_patients()
        self.apply_permissions()

    def refresh_patients(self) -> None:
        self.patients_model.set_rows(self._ctx.services.patients.find(self.search.text()))

    def selected_patient(self) -> PatientRow | None:
        rows = self.patients_view.selectionModel().selectedRows()
        return self.patients_model.row_at(rows[0].row()) if rows else None

    def _open_selected_session(self) -> None:
        rows = self.sessions_view.selectionModel().selectedRows()
        row = self.sessions_model.row_at(rows[0].row()) if rows else None
        if row is not None:
            self.open_session.emit(row.id)

    def _add_patient(self) -> None:
        dialog = AddPatientDialog(self._ctx.services, self._ctx.require_actor(), self)
        if dialog.exec() and dialog.patient is not None:
            self.search.setText(dialog.patient.chart_number)
            self.refresh_patients()
            self.patients_view.selectRow(0)
            self.patients_view.setFocus()

    def _start_session(self) -> None:
        patient = self.selected_patient()
        if patient is None:
            return
        actor = self._ctx.require_actor()
        try:
            row = attempt(
                self,
                "start session",
                lambda: self._ctx.services.sessions.start_session(actor, patient.id),
            )
        except ActionFailed:
            return
        self.refresh()
        self.open_session.emit(row.id)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
