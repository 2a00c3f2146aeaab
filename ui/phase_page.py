"""The contract between the Session screen and the page of each phase.

Each later feature (check-in, centering, dose, monitoring, discharge, note) adds one PhasePage
subclass and lists it in `ui.phases.PHASE_PAGES`; the stepper shows only phases that have a page,
so nothing on screen pretends to work before it does.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.context import AppContext


class PhasePage(QWidget):
    """Signals: `advance` when this phase is complete and the session should move on;
    `changed` after any committed entry (so the header and stepper refresh)."""

    phase: ClassVar[Phase]
    advance = Signal()
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session: SessionRow | None = None

    def load(self, session: SessionRow) -> None:
        """Show `session` from the database; called on open and after a resume."""
        self.session = session
