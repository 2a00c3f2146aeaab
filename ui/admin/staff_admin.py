"""Staff administration: list accounts, add one, deactivate/reactivate, reset a PIN."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.services.staff import ROLE_LABELS, StaffRow
from companion.storage.models import Role
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, make_table, named
from ui.table_models import RowTableModel


class _FormDialog(QDialog):
    """A form whose fields each have a message line; FieldError lands at its field."""

    def __init__(self, title: str, object_name: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName(object_name)
        self._form = QFormLayout()
        self._messages: dict[str, tuple[QWidget, FieldMessage]] = {}
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setProperty("primary", True)
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)

    def _add(self, key: str, label: str, widget: QWidget, prefix: str) -> None:
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        msg = FieldMessage(f"{prefix}_{key}_error")
        box.addWidget(msg)
        self._form.addRow(label, box)
        self._messages[key] = (widget, msg)

    def message_for(self, key: str) -> FieldMessage:
        return self._messages[key][1]

    def _show_field_error(self, exc: FieldError, fallback: str) -> None:
        widget, msg = self._messages.get(exc.field, self._messages[fallback])
        msg.show_message(exc.message, widget)
        widget.setFocus()

    def _clear_messages(self) -> None:
        for widget, msg in self._messages.values():
            msg.show_message("", widget)

    def _confirm(self) -> None:
        raise NotImplementedError


def _secret_edit(object_name: str, accessible: str) -> QLineEdit:
    edit = named(QLineEdit(), object_name, accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class AddStaffDialog(_FormDialog):
    """Adds an account; `added` holds the new row after accept()."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Add staff member", "add_staff_dialog", parent)
        self._ctx = ctx
        self.added: StaffRow | None = None
        self.username = named(QLineEdit(), "staff_username", "User name")
        self.display_name = named(QLineEdit(), "staff_display_name", "Full name")
        self.role = named(QComboBox(), "staff_role", "Role")
        for role, label in ROLE_LABELS.items():
            self.role.addItem(label, role.value)
        self.secret = _secret_edit("staff_secret", "PIN or passphrase")
        self.repeat = _secret_edit("staff_repeat", "PIN or passphrase again")
        for key, label, widget in [
            ("username", "User name", self.username),
            ("display_name", "Full name", self.display_name),
            ("role", "Role", self.role),
            ("secret", "PIN or passphrase", self.secret),
            ("repeat", "The same again", self.repeat),
        ]:
            self._add(key, label, widget, "staff")
        self.ok.setText("Add staff member")
        self.ok.setObjectName("staff_add_confirm")

    def _confirm(self) -> None:
        self._clear_messages()
        actor = self._ctx.require_actor()
        try:
            self.added = attempt(
                self,
                "add staff",
                lambda: self._ctx.services.staff.add_staff(
                    actor,
                    self.username.text(),
                    self.display_name.text(),
                    Role(self.role.currentData()),
                    self.secret.text(),
                    self.repeat.text(),
                ),
            )
        except FieldError as exc:
            self._show_field_error(exc, "username")
            return
        except ActionFailed:
            return
        self.accept()


class ResetSecretDialog(_FormDialog):
    """Sets a new PIN for `staff`; `done` is True after accept()."""

    def __init__(self, ctx: AppContext, staff: StaffRow, parent: QWidget | None = None) -> None:
        super().__init__(f"New PIN for {staff.display_name}", "reset_secret_dialog", parent)
        self._ctx = ctx
        self._staff = staff
        self.done_ok = False
        self.secret = _secret_edit("reset_secret", "New PIN or passphrase")
        self.repeat = _secret_edit("reset_repeat", "New PIN or passphrase again")
        self._add("secret", "New PIN or passphrase", self.secret, "reset")
        self._add("repeat", "The same again", self.repeat, "reset")
        self.ok.setText("Set new PIN")
        self.ok.setObjectName("reset_confirm")

    def _confirm(self) -> None:
        self._clear_messages()
        actor = self._ctx.require_actor()
        try:
            attempt(
                self,
                "reset PIN",
                lambda: self._ctx.services.staff.reset_secret(
                    actor, self._staff.id, self.secret.text(), self.repeat.text()
                ),
            )
        except FieldError as exc:
            self._show_field_error(exc, "secret")
            return
        except ActionFailed:
            return
        self.done_ok = True
        self.accept()


class StaffAdminScreen(QWidget):
    """The staff list with its actions. Dialogs open window-modal and non-blocking (`open()`),
    so the current one is in `dialog` for tests and automation."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staff_admin")
        self._ctx = ctx
        self.dialog: QDialog | None = None
        self.model: RowTableModel[StaffRow] = RowTableModel(
            [
                ("Name", lambda r: r.display_name),
                ("User name", lambda r: r.username),
                ("Role", lambda r: ROLE_LABELS[r.role]),
                ("Status", lambda r: "Active" if r.active else "Deactivated"),
            ]
        )
        self.view = make_table(self.model, "staff_list", "Staff accounts")
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.add_button = named(QPushButton("Add staff member…"), "staff_add", "Add staff member")
        self.add_button.setProperty("primary", True)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.toggle_button = named(
            QPushButton("Deactivate"), "staff_toggle_active", "Deactivate or reactivate"
        )
        self.toggle_button.clicked.connect(self.toggle_active)
        self.reset_button = named(QPushButton("Reset PIN…"), "staff_reset_pin", "Reset PIN")
        self.reset_button.clicked.connect(self.open_reset_dialog)
        self.status = QLabel("")
        self.status.setObjectName("staff_status")
        self.status.setProperty("role", "muted")
        heading = QLabel("Staff")
        heading.setProperty("role", "heading")
        note = QLabel(
            "Physicians dose, acknowledge the BP gate, override discharge and sign notes; "
            "guides run sessions; staff review and export; administrators manage accounts "
            "and read the audit trail."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.toggle_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    def refresh(self) -> None:
        selected = self.selected()
        self.model.set_rows(self._ctx.services.staff.list_staff())
        if selected is not None:
            self.select(selected.id)
        self._update_buttons()

    def select(self, staff_id: int) -> None:
        for i in range(self.model.rowCount()):
            row = self.model.row_at(i)
            if row is not None and row.id == staff_id:
                self.view.selectRow(i)
                return

    def selected(self) -> StaffRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        row = self.selected()
        self.toggle_button.setEnabled(row is not None)
        self.reset_button.setEnabled(row is not None)
        self.toggle_button.setText(
            "Reactivate" if row is not None and not row.active else "Deactivate"
        )

    def open_add_dialog(self) -> AddStaffDialog:
        dialog = AddStaffDialog(self._ctx, self)
        dialog.accepted.connect(lambda: self._added(dialog))
        self._open(dialog)
        return dialog

    def open_reset_dialog(self) -> ResetSecretDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = ResetSecretDialog(self._ctx, row, self)
        dialog.accepted.connect(lambda: self.status.setText(f"New PIN set for {row.display_name}."))
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _added(self, dialog: AddStaffDialog) -> None:
        self.refresh()
        if dialog.added is not None:
            self.select(dialog.added.id)
            self.status.setText(f"Added {dialog.added.display_name}.")

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        actor = self._ctx.require_actor()
        try:
            updated = attempt(
                self,
                "change staff status",
                lambda: self._ctx.services.staff.set_active(actor, row.id, not row.active),
            )
        except ActionFailed:
            return
        self.refresh()
        self.status.setText(
            f"{updated.display_name} is {'active' if updated.active else 'deactivated'}."
        )
