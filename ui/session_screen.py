"""The Session screen: a header with the patient and the session clock, the phase stepper, and
the current phase's page."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.services.sessions import SessionRow
from companion.storage.models import INDICATION_LABELS, PHASE_LABELS, Phase, SessionStatus
from ui.context import AppContext
from ui.phase_page import PhasePage
from ui.phases import PHASE_PAGES
from ui.theme import restyle
from ui.util import clock_text, hm, ymd

PHASE_ORDER = list(Phase)


@runtime_checkable
class PreparesAhead(Protocol):
    """A page with work to do before its phase comes (e.g. Monitoring builds its plot)."""

    def prepare_step(self) -> bool:
        """Do one small piece (well under a frame); True while pieces remain."""
        ...


class StepButton(QPushButton):
    def __init__(self, number: int, phase: Phase) -> None:
        super().__init__(f"{number}  {PHASE_LABELS[phase]}")
        self.phase = phase
        self.setObjectName(f"step_{phase.value}")
        self.setAccessibleName(f"Phase {number}: {PHASE_LABELS[phase]}")
        self.setCheckable(True)
        self.setMinimumHeight(44)

    def set_state(self, state: str) -> None:
        """state: done, current or upcoming (shown as text too, not colour alone)."""
        mark = {"done": "✓ ", "current": "▶ ", "upcoming": ""}[state]
        number = PHASE_ORDER.index(self.phase) + 1
        self.setText(f"{mark}{number}  {PHASE_LABELS[self.phase]}")
        if self.property("state") != state:  # restyling costs a style pass: only on a change
            self.setProperty("state", state)
            self.setAccessibleDescription(state)
            restyle(self)


class SessionScreen(QWidget):
    """Signals: `session_changed` after a phase change or entry, so lists elsewhere refresh."""

    session_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session_screen")
        self._ctx = ctx
        self.session: SessionRow | None = None

        self.patient_label = QLabel("No session open")
        self.patient_label.setObjectName("session_patient")
        self.patient_label.setProperty("role", "title")
        self.detail_label = QLabel("Open a session from Today, or start one for a patient.")
        self.detail_label.setObjectName("session_detail")
        self.detail_label.setProperty("role", "muted")
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("session_clock")
        self.clock_label.setProperty("role", "clock")
        self.clock_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.clock_caption = QLabel("")
        self.clock_caption.setProperty("role", "muted")
        self.clock_caption.setAlignment(Qt.AlignmentFlag.AlignRight)

        header = QHBoxLayout()
        who = QVBoxLayout()
        who.addWidget(self.patient_label)
        who.addWidget(self.detail_label)
        header.addLayout(who, 1)
        clock = QVBoxLayout()
        clock.addWidget(self.clock_label)
        clock.addWidget(self.clock_caption)
        header.addLayout(clock)

        self.steps: dict[Phase, StepButton] = {}
        self._pages: dict[Phase, PhasePage] = {}
        self._preparing: list[PreparesAhead] = []
        self.stack = QStackedWidget()
        self.summary = QLabel("")
        self.summary.setObjectName("session_summary")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary.setProperty("role", "banner")
        self.stack.addWidget(self.summary)
        stepper = QHBoxLayout()
        stepper.setSpacing(6)
        for page_type in PHASE_PAGES:
            phase = page_type.phase
            step = StepButton(PHASE_ORDER.index(phase) + 1, phase)
            step.clicked.connect(lambda _c=False, p=phase: self.show_phase(p))
            stepper.addWidget(step)
            self.steps[phase] = step
        stepper.addStretch(1)

        line = QFrame()
        line.setObjectName("session_divider")
        line.setFixedHeight(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.addLayout(header)
        layout.addLayout(stepper)
        layout.addWidget(line)
        layout.addWidget(self.stack, 1)

        # Repaint only: the time shown is always computed from stored timestamps. The same tick
        # lets pages prepare ahead, a small piece at a time, while the session is on screen.
        self._tick = QTimer(self)
        self._tick.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self.update_clock)
        self._tick.timeout.connect(self.prepare_ahead)

    @property
    def pages(self) -> dict[Phase, PhasePage]:
        """The phase pages, built on first use rather than at start-up: they are the bulk of
        the window (~0.5 s) and a review-only sign-in never needs them."""
        if not self._pages:
            for page_type in PHASE_PAGES:
                page = page_type(self._ctx)
                page.advance.connect(self._advance)
                page.changed.connect(self._on_page_changed)
                self._pages[page_type.phase] = page
                self.stack.addWidget(page)
            self._preparing = [p for p in self._pages.values() if isinstance(p, PreparesAhead)]
        return self._pages

    def prepare_ahead(self) -> None:
        """One piece of the pages' work ahead of their phase (called on the clock tick)."""
        while self._preparing:
            if self._preparing[0].prepare_step():
                return
            self._preparing.pop(0)

    def open(self, session_id: int) -> None:
        self.session = self._ctx.services.sessions.get(session_id)
        for page in self.pages.values():
            page.load(self.session)
        self._refresh_header()
        self.show_phase(self.session.phase)

    def show_phase(self, phase: Phase) -> None:
        page = self.pages.get(phase)
        self.stack.setCurrentWidget(page if page is not None else self.summary)
        # The monitoring page has its own large clock; a second one would only take room from the plot.
        own_clock = phase == Phase.MONITORING and page is not None
        self.clock_label.setVisible(not own_clock)
        self.clock_caption.setVisible(not own_clock)
        for p, step in self.steps.items():
            step.setChecked(p == phase)

    def _advance(self) -> None:
        """A page finished its phase: move the stored phase past it (never backwards) and show
        the next page. The page that asked is the reference, not a cached phase, because the
        page's own service call may already have moved the session on."""
        if self.session is None:
            return
        page = self.sender()
        done = page.phase if isinstance(page, PhasePage) else self.session.phase
        self.session = self._ctx.services.sessions.get(self.session.id)
        target_index = PHASE_ORDER.index(done) + 1
        if target_index < len(PHASE_ORDER) and PHASE_ORDER.index(self.session.phase) < target_index:
            self.session = self._ctx.services.sessions.set_phase(
                self._ctx.require_actor(), self.session.id, PHASE_ORDER[target_index]
            )
        self._refresh_header()  # from the session just read: no second read
        self.session_changed.emit()
        self.show_phase(self.session.phase)

    def _on_page_changed(self) -> None:
        if self.session is not None:
            self.session = self._ctx.services.sessions.get(self.session.id)
        self._refresh_header()
        self.session_changed.emit()

    def _refresh_header(self) -> None:
        s = self.session
        if s is None:
            return
        self.patient_label.setText(s.patient_name)
        self.detail_label.setText(
            f"{s.chart_number}  ·  {INDICATION_LABELS[s.indication]}  ·  "
            f"session #{s.number_in_course}  ·  {ymd(s.started_at)}"
        )
        current = PHASE_ORDER.index(s.phase)
        for phase, step in self.steps.items():
            i = PHASE_ORDER.index(phase)
            closed = s.status != SessionStatus.IN_PROGRESS
            step.set_state(
                "done" if i < current or closed else "current" if i == current else "upcoming"
            )
        status = (
            f"In progress — {PHASE_LABELS[s.phase]}"
            if s.status == SessionStatus.IN_PROGRESS
            else s.status.value.capitalize()
        )
        self.summary.setText(
            f"Session #{s.number_in_course} for {s.patient_name} ({s.chart_number}).\n"
            f"Started {ymd(s.started_at)} at {hm(s.started_at)}.  Status: {status}."
        )
        self.update_clock()

    def update_clock(self) -> None:
        s = self.session
        if s is None:
            self.clock_label.setText("")
            self.clock_caption.setText("")
            return
        now = self._ctx.clock.now()
        if s.t0 is not None:
            self.clock_label.setText(clock_text((now - s.t0).total_seconds()))
            self.clock_caption.setText(f"since injection at {hm(s.t0)}")
        elif s.status == SessionStatus.IN_PROGRESS:
            self.clock_label.setText(clock_text((now - s.started_at).total_seconds()))
            self.clock_caption.setText(f"since check-in began at {hm(s.started_at)}")
        else:
            self.clock_label.setText("")
            self.clock_caption.setText("")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._tick.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()
        super().hideEvent(event)
