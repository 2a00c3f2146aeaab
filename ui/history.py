"""History: every session, newest first, filtered by patient name or chart number."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from companion.services.sessions import SessionRow
from companion.storage.models import INDICATION_LABELS
from companion.text import fold
from ui.context import AppContext
from ui.forms import make_table, named
from ui.table_models import RowTableModel
from ui.util import hm, ymd


class HistoryScreen(QWidget):
    """Signals: open_session(int)."""

    open_session = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history_screen")
        self._ctx = ctx
        self._all: list[SessionRow] = []
        title = QLabel("History")
        title.setProperty("role", "title")
        self.search = named(QLineEdit(), "history_search", "Filter sessions by patient")
        self.search.setPlaceholderText("Filter by patient name or chart number…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.model: RowTableModel[SessionRow] = RowTableModel(
            [
                ("Date", lambda r: ymd(r.started_at)),
                ("Time", lambda r: hm(r.started_at)),
                ("Patient", lambda r: r.patient_name),
                ("Chart", lambda r: r.chart_number),
                ("Indication", lambda r: INDICATION_LABELS[r.indication]),
                ("Session", lambda r: f"#{r.number_in_course}"),
                ("Status", lambda r: r.status.value.replace("_", " ")),
            ]
        )
        self.view = make_table(self.model, "history_sessions", "Past sessions")
        self.view.activated.connect(lambda index: self._emit_open(self.model.row_at(index.row())))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        self._all = sorted(
            self._ctx.services.sessions.all_sessions(), key=lambda r: r.started_at, reverse=True
        )
        self._apply_filter()

    def _apply_filter(self) -> None:
        needle = fold(self.search.text().strip())
        rows = [
            r
            for r in self._all
            if not needle or needle in fold(f"{r.patient_name} {r.chart_number}")
        ]
        self.model.set_rows(rows)

    def _emit_open(self, row: SessionRow | None) -> None:
        if row is not None:
            self.open_session.emit(row.id)
