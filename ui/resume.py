"""Crash recovery: at start-up, sessions still in progress are offered for resumption.

The dialog is opened with `open()` (window-modal, non-blocking); `chosen` holds the session id
after it is accepted. The elapsed time is computed from stored timestamps, so after a crash it is
the same as if the app had kept running.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from companion.services.sessions import SessionRow
from companion.storage.models import PHASE_LABELS
from ui.forms import make_table
from ui.table_models import RowTableModel
from ui.util import clock_text, hm


def elapsed_text(row: SessionRow, now: datetime) -> str:
    if row.t0 is not None:
        return f"{clock_text((now - row.t0).total_seconds())} since injection"
    return f"{clock_text((now - row.started_at).total_seconds())} since start"


class ResumeDialog(QDialog):
    """Lists unfinished sessions; Resume opens the selected one, Not now closes."""

    def __init__(
        self, rows: list[SessionRow], now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resume_dialog")
        self.setWindowTitle("Resume a session?")
        self.chosen: int | None = None
        intro = QLabel(
            "These sessions were not finished when the app last closed. Everything confirmed "
            "was saved. Resume one to continue where it stopped."
        )
        intro.setWordWrap(True)
        self.model: RowTableModel[SessionRow] = RowTableModel(
            [
                ("Patient", lambda r: r.patient_name),
                ("Chart", lambda r: r.chart_number),
                ("Phase", lambda r: PHASE_LABELS[r.phase]),
                ("Started", lambda r: hm(r.started_at)),
                ("Elapsed", lambda r: elapsed_text(r, now)),
            ]
        )
        self.model.set_rows(rows)
        self.view = make_table(self.model, "resume_sessions", "Unfinished sessions")
        self.view.activated.connect(lambda _i: self._resume())
        buttons = QDialogButtonBox()
        self.resume_button = buttons.addButton("Resume", QDialogButtonBox.ButtonRole.AcceptRole)
        self.resume_button.setObjectName("resume_confirm")
        self.resume_button.setAccessibleName("Resume the selected session")
        self.resume_button.setProperty("primary", True)
        self.later_button = buttons.addButton("Not now", QDialogButtonBox.ButtonRole.RejectRole)
        self.later_button.setObjectName("resume_later")
        self.later_button.setAccessibleName("Do not resume now")
        buttons.accepted.connect(self._resume)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.setMinimumSize(720, 320)
        if rows:
            self.view.selectRow(0)
        self.view.setFocus()

    def _resume(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        row = self.model.row_at(rows[0].row()) if rows else None
        if row is None:
            return
        self.chosen = row.id
        self.accept()
