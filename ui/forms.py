"""Small building blocks for keyboard-first forms with messages at the field."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from ui.theme import restyle

W = TypeVar("W", bound=QWidget)


def named(widget: W, object_name: str, accessible: str) -> W:
    """Give an input its stable objectName (tests, automation) and accessible name (screen readers)."""
    widget.setObjectName(object_name)
    widget.setAccessibleName(accessible)
    return widget


class FieldMessage(QLabel):
    """The message under a field saying what is allowed; hidden when empty."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setProperty("role", "error")
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str, field: QWidget | None = None) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if field is not None:
            field.setProperty("invalid", "true" if text else "false")
            restyle(field)


def make_table(model: QAbstractItemModel, object_name: str, accessible: str) -> QTableView:
    """A read-only, row-selecting table with rows tall enough to hit with a finger."""
    view = QTableView()
    view.setObjectName(object_name)
    view.setAccessibleName(accessible)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(34)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.setTabKeyNavigation(False)
    return view
