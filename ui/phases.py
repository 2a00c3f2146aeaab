"""The phase pages the stepper knows about, in session order."""

from __future__ import annotations

from ui.centering_page import CenteringPage
from ui.checkin_page import CheckInPage
from ui.discharge_page import DischargePage
from ui.dose_page import DosePage
from ui.monitoring_page import MonitoringPage
from ui.note_page import NotePage
from ui.phase_page import PhasePage

PHASE_PAGES: tuple[type[PhasePage], ...] = (
    CheckInPage,
    CenteringPage,
    DosePage,
    MonitoringPage,
    DischargePage,
    NotePage,
)
