"""Adding a patient. (Signing in and creating the first administrator: ui/sign_in.py.)"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.roles import Actor
from companion.services import Services
from companion.services.patients import PatientRow
from companion.storage.models import INDICATION_LABELS, Indication
from ui.actions import ActionFailed, attempt
from ui.forms import FieldMessage, named


class AddPatientDialog(QDialog):
    """Adds a patient through PatientService; `patient` holds the result after accept()."""

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add patient")
        self.setObjectName("add_patient_dialog")
        self._services = services
        self._actor = actor
        self.patient: PatientRow | None = None

        self.chart = named(QLineEdit(), "patient_chart", "Chart number")
        self.given = named(QLineEdit(), "patient_given", "Given name")
        self.family = named(QLineEdit(), "patient_family", "Family name")
        self.dob = QDateEdit()
        named(self.dob, "patient_dob", "Date of birth")
        self.dob.setDisplayFormat("yyyy-MM-dd")
        self.dob.setCalendarPopup(True)
        self.dob.setDate(QDate(1985, 1, 1))
        self.indication = QComboBox()
        named(self.indication, "patient_indication", "Indication")
        for value, label in INDICATION_LABELS.items():
            self.indication.addItem(label, value.value)
        self._messages: dict[str, tuple[QWidget, FieldMessage]] = {}
        form = QFormLayout()
        for key, label, widget in [
            ("chart_number", "Chart number", self.chart),
            ("given_name", "Given name", self.given),
            ("family_name", "Family name", self.family),
            ("date_of_birth", "Date of birth", self.dob),
            ("indication", "Indication", self.indication),
        ]:
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            msg = FieldMessage(f"patient_{key}_error")
            box.addWidget(msg)
            form.addRow(label, box)
            self._messages[key] = (widget, msg)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Add patient")
        ok.setObjectName("patient_add_confirm")
        ok.setProperty("primary", True)
        buttons.accepted.connect(self._confirm)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _confirm(self) -> None:
        for widget, msg in self._messages.values():
            msg.show_message("", widget)
        qd = self.dob.date()
        try:
            self.patient = attempt(
                self,
                "add patient",
                lambda: self._services.patients.add_patient(
                    self._actor,
                    self.chart.text(),
                    self.given.text(),
                    self.family.text(),
                    date(qd.year(), qd.month(), qd.day()),
                    Indication(self.indication.currentData()),
                ),
            )
        except FieldError as exc:
            widget, msg = self._messages.get(exc.field, self._messages["chart_number"])
            msg.show_message(exc.message, widget)
            widget.setFocus()
            return
        except ActionFailed:
            return
        self.accept()
