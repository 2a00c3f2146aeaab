"""A row of toggle buttons for a fixed list of tags (note themes, integration practices)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget


class TagPicker(QWidget):
    """Checkable buttons, one per tag, in a grid of `columns`; the state shows as text too (✓).

    Signals:
        changed(): a tag was toggled by the user (not by `set_selected`).
    """

    changed = Signal()

    def __init__(
        self,
        tags: Iterable[str],
        object_prefix: str,
        accessible: str,
        columns: int = 4,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_prefix)
        self.setAccessibleName(accessible)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        for i, tag in enumerate(tags):
            button = QPushButton(tag)
            button.setObjectName(f"{object_prefix}_{tag.replace(' ', '_')}")
            button.setAccessibleName(f"{accessible}: {tag}")
            button.setCheckable(True)
            button.setMinimumHeight(36)
            button.toggled.connect(lambda on, b=button, t=tag: self._toggled(b, t, on))
            grid.addWidget(button, i // columns, i % columns)
            self.buttons[tag] = button

    def _toggled(self, button: QPushButton, tag: str, on: bool) -> None:
        button.setText(f"✓ {tag}" if on else tag)
        button.setProperty("primary", on)
        button.style().unpolish(button)
        button.style().polish(button)
        if not self.signalsBlocked():
            self.changed.emit()

    def selected(self) -> list[str]:
        return [tag for tag, b in self.buttons.items() if b.isChecked()]

    def set_selected(self, tags: Iterable[str]) -> None:
        wanted = set(tags)
        self.blockSignals(True)
        try:
            for tag, button in self.buttons.items():
                button.setChecked(tag in wanted)
        finally:
            self.blockSignals(False)

    def set_editable(self, enabled: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(enabled)
