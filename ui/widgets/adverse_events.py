"""Editing the note's adverse events: a description, a severity and the SAE flag per event."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.services.notes import SEVERITIES
from ui.forms import named


class _EventRow(QWidget):
    def __init__(self, index: int, editor: AdverseEventsEditor) -> None:
        super().__init__()
        self.description = named(
            QLineEdit(), f"adverse_event_{index}_description", f"Adverse event {index + 1}"
        )
        self.description.setMaxLength(500)
        self.description.setPlaceholderText("What happened")
        self.severity = named(
            QComboBox(), f"adverse_event_{index}_severity", f"Adverse event {index + 1} severity"
        )
        self.severity.addItem("Not graded", None)
        for s in SEVERITIES:
            self.severity.addItem(s.capitalize(), s)
        self.sae = named(
            QCheckBox("Serious (SAE)"), f"adverse_event_{index}_sae", "Serious adverse event"
        )
        self.remove = named(
            QPushButton("Remove"), f"adverse_event_{index}_remove", "Remove this adverse event"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.description, 1)
        row.addWidget(self.severity)
        row.addWidget(self.sae)
        row.addWidget(self.remove)
        self.description.textEdited.connect(editor.changed)
        self.severity.activated.connect(editor.changed)
        self.sae.clicked.connect(editor.changed)
        self.remove.clicked.connect(lambda: editor.remove_row(self))

    def value(self) -> dict[str, Any]:
        return {
            "description": self.description.text(),
            "severity": self.severity.currentData(),
            "sae": self.sae.isChecked(),
        }


class AdverseEventsEditor(QWidget):
    """Rows of adverse events; "None recorded" when empty. Rows with no description yet are
    not part of `events()` (nothing has been entered in them).

    Signals:
        changed(): the user edited, added or removed an event.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adverse_events")
        self.rows: list[_EventRow] = []
        self._made = 0  # row objectNames stay unique after removals
        self.none_label = QLabel("None recorded")
        self.none_label.setObjectName("adverse_events_none")
        self.none_label.setProperty("role", "muted")
        self.add_button = named(
            QPushButton("Add adverse event"), "adverse_event_add", "Add an adverse event"
        )
        self.add_button.clicked.connect(self._add_clicked)
        self._rows_layout = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.none_label)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.add_button)

    def _add_clicked(self) -> None:
        self.add_row().description.setFocus()

    def add_row(self) -> _EventRow:
        row = _EventRow(self._made, self)
        self._made += 1
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self.none_label.setVisible(False)
        return row

    def remove_row(self, row: _EventRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self.none_label.setVisible(not self.rows)
        self.changed.emit()

    def events(self) -> list[dict[str, Any]]:
        return [r.value() for r in self.rows if r.description.text().strip()]

    def set_events(self, events: list[dict[str, Any]]) -> None:
        for row in list(self.rows):
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self._made = 0
        for event in events:
            row = self.add_row()
            row.description.setText(str(event.get("description", "")))
            row.description.setCursorPosition(0)  # show the start of a long description
            row.severity.setCurrentIndex(max(0, row.severity.findData(event.get("severity"))))
            row.sae.setChecked(bool(event.get("sae")))
        self.none_label.setVisible(not self.rows)

    def set_editable(self, enabled: bool) -> None:
        self.add_button.setEnabled(enabled)
        for row in self.rows:
            row.setEnabled(enabled)
