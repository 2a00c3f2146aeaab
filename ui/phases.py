"""The phase pages the stepper knows about, in session order."""

from __future__ import annotations

from ui.phase_page import PhasePage

PHASE_PAGES: tuple[type[PhasePage], ...] = ()
