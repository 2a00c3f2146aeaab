"""The Observations tab of the Monitoring page: one-tap tags, typed observations (optionally an
adverse event) and corrections of the text until the note is signed.

Every entry goes through the monitoring service and is committed before `saved` is emitted; the
page then reloads what it shows from the database.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.protocol import Protocol
from companion.services.monitoring import ObservationRow
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.util import hm


def _slug(tag: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in tag.lower())


def observation_text(o: ObservationRow) -> str:
    at = f"{o.minutes_since_t0:+.0f} min" if o.minutes_since_t0 is not None else hm(o.observed_at)
    flags = ("  ⚠ adverse event" if o.adverse_event else "") + ("  (edited)" if o.edited else "")
    return f"{at}   {o.label}{flags}"


class ObservationsTab(QWidget):
    """Signals: `saved` after an observation was added or corrected (committed)."""

    saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id: int | None = None
        self._shown: tuple[tuple[ObservationRow, ...], bool] | None = None
        self.tag_grid = QGridLayout()
        self.tag_buttons: dict[str, QPushButton] = {}
        self.obs_text = named(QLineEdit(), "obs_text", "Observation text")
        self.obs_text.setPlaceholderText("Type an observation, Enter to add")
        self.obs_text.setMaxLength(2000)
        self.obs_text.returnPressed.connect(self.add_typed)
        self.obs_adverse = named(QCheckBox("Adverse event"), "obs_adverse", "Adverse event")
        self.obs_add = named(QPushButton("Add"), "obs_add", "Add observation")
        self.obs_add.clicked.connect(self.add_typed)
        self.obs_error = FieldMessage("obs_text_error")
        self.obs_list = named(QListWidget(), "obs_list", "Observations so far")
        self.obs_list.currentItemChanged.connect(self._selected)
        self.obs_edit = named(QLineEdit(), "obs_edit_text", "Corrected observation text")
        self.obs_edit.setPlaceholderText("Select an observation to correct its text")
        self.obs_edit.setMaxLength(2000)
        self.obs_edit.returnPressed.connect(self.save_edit)
        self.obs_edit_save = named(QPushButton("Save change"), "obs_edit_save", "Save change")
        self.obs_edit_save.clicked.connect(self.save_edit)
        self.obs_edit_error = FieldMessage("obs_edit_error")
        typed = QHBoxLayout()
        typed.addWidget(self.obs_text, 1)
        typed.addWidget(self.obs_adverse)
        typed.addWidget(self.obs_add)
        edit = QHBoxLayout()
        edit.addWidget(self.obs_edit, 1)
        edit.addWidget(self.obs_edit_save)
        layout = QVBoxLayout(self)
        caption = QLabel("One tap records now:")
        caption.setProperty("role", "muted")
        layout.addWidget(caption)
        layout.addLayout(self.tag_grid)
        layout.addLayout(typed)
        layout.addWidget(self.obs_error)
        layout.addWidget(self.obs_list, 1)
        layout.addLayout(edit)
        layout.addWidget(self.obs_edit_error)

    def show_tags(self, protocol: Protocol) -> None:
        if list(self.tag_buttons) == list(protocol.quick_tags):
            return
        for i, tag in enumerate(protocol.quick_tags):
            button = named(QPushButton(tag), f"obs_tag_{_slug(tag)}", f"Record observation: {tag}")
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _c=False, t=tag: self.add_tag(t))
            self.tag_grid.addWidget(button, i // 3, i % 3)
            self.tag_buttons[tag] = button

    def show_observations(self, observations: tuple[ObservationRow, ...], locked: bool) -> None:
        """Newest first, keeping the selection; rebuilt only when the stored rows changed."""
        if self._shown == (observations, locked):
            return
        self._shown = (observations, locked)
        selected = self.obs_list.currentItem()
        keep = selected.data(Qt.ItemDataRole.UserRole) if selected is not None else None
        self.obs_list.blockSignals(True)
        self.obs_list.clear()
        for o in reversed(observations):  # newest first: that is what is looked for
            item = QListWidgetItem(observation_text(o))
            item.setData(Qt.ItemDataRole.UserRole, o.id)
            self.obs_list.addItem(item)
            if o.id == keep:
                self.obs_list.setCurrentItem(item)
        self.obs_list.blockSignals(False)
        self.obs_edit.setEnabled(not locked)
        self.obs_edit_save.setEnabled(not locked)
        if locked:
            self.obs_edit.setPlaceholderText("The note is signed: observations are locked")

    def _session_id(self) -> int:
        assert self.session_id is not None
        return self.session_id

    def add_tag(self, tag: str) -> None:
        self._add(tag, None)

    def add_typed(self) -> None:
        if self._add(None, self.obs_text.text()):
            self.obs_text.clear()
            self.obs_adverse.setChecked(False)

    def _add(self, tag: str | None, text: str | None) -> bool:
        self.obs_error.show_message("")
        try:
            attempt(
                self,
                "add observation",
                lambda: self.ctx.services.monitoring.add_observation(
                    self.ctx.require_actor(),
                    self._session_id(),
                    tag,
                    text,
                    self.ctx.clock.now(),
                    self.obs_adverse.isChecked(),
                ),
            )
        except FieldError as e:
            self.obs_error.show_message(e.message, self.obs_text)
            return False
        except ActionFailed:
            return False
        self.obs_error.show_message("", self.obs_text)
        self.saved.emit()
        return True

    def _selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self.obs_edit_error.show_message("")
        if item is None or self._shown is None:
            self.obs_edit.clear()
            return
        oid = item.data(Qt.ItemDataRole.UserRole)
        obs = next((o for o in self._shown[0] if o.id == oid), None)
        self.obs_edit.setText(obs.text or "" if obs is not None else "")

    def save_edit(self) -> None:
        item = self.obs_list.currentItem()
        if item is None:
            self.obs_edit_error.show_message("Select the observation to correct first.")
            return
        oid = int(item.data(Qt.ItemDataRole.UserRole))
        try:
            attempt(
                self,
                "edit observation",
                lambda: self.ctx.services.monitoring.edit_observation(
                    self.ctx.require_actor(), oid, self.obs_edit.text()
                ),
            )
        except FieldError as e:
            self.obs_edit_error.show_message(e.message, self.obs_edit)
            return
        except ActionFailed:
            return
        self.obs_edit_error.show_message("", self.obs_edit)
        self.saved.emit()
