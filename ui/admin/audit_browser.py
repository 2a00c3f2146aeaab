"""The audit trail browser: filter by person, action, entity, session and dates; paged, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.services.audit_log import NO_ACTOR, PAGE_SIZE, AuditFilter, AuditRow, parse_id
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import FieldMessage, make_table, named
from ui.table_models import RowTableModel
from ui.util import local

_Index = QModelIndex | QPersistentModelIndex
ANY = "Any"
# The earliest date a filter can hold; shown as "Any" (QDateEdit's special value text).
NO_DATE = QDate(2000, 1, 1)

COLUMNS: tuple[tuple[str, Any], ...] = (
    ("Time", lambda r: local(r.at).strftime("%Y-%m-%d %H:%M:%S")),
    ("Who", lambda r: r.actor_name),
    ("Action", lambda r: r.action),
    ("Entity", lambda r: r.entity),
    ("Entity id", lambda r: "" if r.entity_id is None else str(r.entity_id)),
    ("Session", lambda r: "" if r.session_id is None else str(r.session_id)),
    ("Detail", lambda r: r.detail),
)


class AuditTableModel(RowTableModel[AuditRow]):
    """Rows of one page of the audit trail (read-only)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)


def _date_edit(object_name: str, accessible: str) -> QDateEdit:
    edit = named(QDateEdit(), object_name, accessible)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(ANY)
    edit.setDate(NO_DATE)
    return edit


def _py_date(edit: QDateEdit) -> date | None:
    qd = edit.date()
    if not qd.isValid() or qd == NO_DATE:
        return None
    return date(qd.year(), qd.month(), qd.day())


class AuditScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("audit_screen")
        self._ctx = ctx
        self.offset = 0
        self.total = 0

        self.actor = named(QComboBox(), "audit_actor", "Filter by person")
        self.action = named(QComboBox(), "audit_action", "Filter by action")
        self.entity = named(QComboBox(), "audit_entity", "Filter by entity")
        for combo in (self.actor, self.action, self.entity):
            combo.setMinimumWidth(150)
        self.session = named(QLineEdit(), "audit_session", "Filter by session number")
        self.session.setPlaceholderText("any")
        self.session.setMaxLength(30)
        self.day_from = _date_edit("audit_from", "From date")
        self.day_to = _date_edit("audit_to", "To date")
        self.apply_button = named(QPushButton("Apply filters"), "audit_apply", "Apply filters")
        self.apply_button.setProperty("primary", True)
        self.apply_button.clicked.connect(self.apply)
        self.session.returnPressed.connect(self.apply)
        self.clear_button = named(QPushButton("Clear"), "audit_clear", "Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        self.message = FieldMessage("audit_filter_error")

        self.model = AuditTableModel(self)
        self.view = make_table(self.model, "audit_table", "Audit trail")
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # the detail takes what is left
        self.page_label = QLabel("")
        self.page_label.setObjectName("audit_page")
        self.page_label.setProperty("role", "muted")
        self.newer_button = named(QPushButton("◀ Newer"), "audit_newer", "Newer events")
        self.newer_button.clicked.connect(lambda: self._page(-PAGE_SIZE))
        self.older_button = named(QPushButton("Older ▶"), "audit_older", "Older events")
        self.older_button.clicked.connect(lambda: self._page(PAGE_SIZE))

        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        for col, (label, widget) in enumerate(
            [
                ("Person", self.actor),
                ("Action", self.action),
                ("Entity", self.entity),
                ("Session", self.session),
                ("From", self.day_from),
                ("To", self.day_to),
            ]
        ):
            caption = QLabel(label)
            caption.setProperty("role", "muted")
            grid.addWidget(caption, 0, col)
            grid.addWidget(widget, 1, col)
        grid.addWidget(self.apply_button, 1, 6)
        grid.addWidget(self.clear_button, 1, 7)
        pager = QHBoxLayout()
        pager.addWidget(self.page_label)
        pager.addStretch(1)
        pager.addWidget(self.newer_button)
        pager.addWidget(self.older_button)
        heading = QLabel("Audit trail")
        heading.setProperty("role", "heading")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        layout.addWidget(self.view, 1)
        layout.addLayout(pager)

    def refresh(self) -> None:
        """Reload the filter choices (keeping the current ones) and the current page."""
        actor = self._ctx.require_actor()
        try:
            actions, entities = attempt(
                self, "read audit", lambda: self._ctx.services.audit_log.choices(actor)
            )
            staff = self._ctx.services.staff.list_staff()
        except ActionFailed:
            return
        _fill(
            self.actor,
            [(ANY, None), ("(no one signed in)", NO_ACTOR)]
            + [(f"{s.display_name} ({s.username})", s.id) for s in staff],
        )
        _fill(self.entity, [(ANY, None)] + [(e, e) for e in entities])
        _fill(self.action, [(ANY, None)] + [(a, a) for a in actions])
        self.load()

    def clear_filters(self) -> None:
        for combo in (self.actor, self.action, self.entity):
            combo.setCurrentIndex(0)
        self.session.clear()
        self.day_from.setDate(NO_DATE)
        self.day_to.setDate(NO_DATE)
        self.apply()

    def apply(self) -> None:
        self.offset = 0
        self.load()

    def current_filter(self) -> AuditFilter:
        """The filter as typed; FieldError for a bad session number."""
        now = self._ctx.clock.now().astimezone()
        return AuditFilter(
            actor_id=self.actor.currentData(),
            action=self.action.currentData(),
            entity=self.entity.currentData(),
            session_id=parse_id("session_id", self.session.text()),
            day_from=_py_date(self.day_from),
            day_to=_py_date(self.day_to),
            tz_offset=now.utcoffset() or timedelta(0),
        )

    def load(self) -> bool:
        """Show the page at `offset`; False (and a message at the filters) if refused."""
        self.message.show_message("", self.session)
        actor = self._ctx.require_actor()
        try:
            f = self.current_filter()
            page = attempt(
                self,
                "read audit",
                lambda: self._ctx.services.audit_log.query(actor, f, self.offset),
            )
        except FieldError as exc:
            field = self.session if exc.field == "session_id" else self.day_to
            self.message.show_message(exc.message, field)
            return False
        except ActionFailed:
            return False
        self.total = page.total
        self.model.set_rows(page.rows)
        self.page_label.setText(
            f"Events {self.offset + 1}–{self.offset + len(page.rows)} of {page.total}, newest first"
            if page.rows
            else "No events match these filters."
        )
        self.newer_button.setEnabled(self.offset > 0)
        self.older_button.setEnabled(self.offset + len(page.rows) < page.total)
        return True

    def _page(self, delta: int) -> None:
        self.offset = max(0, self.offset + delta)
        self.load()


def _fill(combo: QComboBox, items: Sequence[tuple[str, object]]) -> None:
    """Replace the items, keeping the selected value when it is still offered."""
    keep = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, value in items:
        combo.addItem(label, value)
    index = combo.findData(keep) if keep is not None else 0
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)
