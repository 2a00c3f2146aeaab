"""The Monitoring phase: the session clock, checkpoints, observations, top-ups, the live plot and
alerts.

Data is read from the database when the page is shown and after every entry (committed first);
only what changed is redrawn. The parented timer only repaints the clock and checkpoint states,
which are computed from the stored T0 and the injected clock (so a restarted app shows the right
time at once). The plot is prepared before the dose (`prepare_step`), so the dose does not wait
for pyqtgraph.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.roles import Action
from companion.schedule import SessionClock
from companion.services.monitoring import MonitoringState
from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.actions import ActionFailed, attempt
from ui.background import preload
from ui.chime import BellChime, Chime
from ui.context import AppContext
from ui.dose_page import DoseForm, DoseInput, dose_summary, record
from ui.forms import named
from ui.monitoring_observations import ObservationsTab
from ui.monitoring_plot import MonitoringPlot
from ui.phase_page import PhasePage
from ui.util import hm
from ui.widgets.alerts_panel import AlertsPanel
from ui.widgets.checkpoint_form import EXTRA, CheckpointEntry, CheckpointForm
from ui.widgets.session_clock import SessionClockPanel

TICK_MS = 500
LEFT_WIDTH = 540
ALERTS_MAX_HEIGHT = 150  # alerts push the plot down while they wait; the rest scrolls


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class MonitoringPage(PhasePage):
    phase = Phase.MONITORING

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("monitoring_page")
        self.state: MonitoringState | None = None
        self._chime: Chime | None = None
        self._announced: set[tuple[str, str]] = set()
        # Imported off the GUI thread while the earlier phases run; see `prepare_step`.
        self.pyqtgraph_ready = preload("pyqtgraph")
        self._polished = False

        self.clock_panel = SessionClockPanel()
        self.notice = QLabel("")
        self.notice.setObjectName("monitoring_notice")
        self.notice.setProperty("role", "banner")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.saved = QLabel("")
        self.saved.setObjectName("monitoring_saved")
        self.saved.setProperty("role", "muted")

        self.form = CheckpointForm(ctx.clock)
        self.form.submitted.connect(self._save_entry)
        self.form.missed.connect(self._mark_missed)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("monitoring_tabs")
        self.tabs.addTab(_scrolled(self.form), "Checkpoint")
        self.observations = ObservationsTab(ctx)
        self.observations.saved.connect(self._after_entry)
        # The field typed into most; tests and the end-to-end flow reach it here.
        self.obs_text = self.observations.obs_text
        self.tabs.addTab(self.observations, "Observations")
        self._top_up_tab = _scrolled(self._build_top_up())
        self._top_up_stale = True
        self.tabs.addTab(self._top_up_tab, "Top-up dose")
        self.tabs.currentChanged.connect(lambda _index: self._refresh_top_up())
        self.tabs.setMinimumWidth(LEFT_WIDTH)
        self.tabs.setMaximumWidth(LEFT_WIDTH)

        self.alerts = AlertsPanel()
        self.alerts.acknowledge_requested.connect(self._acknowledge)
        self.alerts_area = _scrolled(self.alerts)
        self.alerts_area.setMaximumHeight(ALERTS_MAX_HEIGHT)
        self.alerts_area.hide()
        self.plot = MonitoringPlot()
        self.finish = named(
            QPushButton("Monitoring complete — go to discharge"),
            "monitoring_finish",
            "Monitoring complete, go to discharge",
        )
        self.finish.clicked.connect(self.advance)
        self.saved.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.tabs, 1)
        left.addWidget(self.saved)
        left.addWidget(self.finish)

        # A splitter, so the physician can give the plot more room while alerts wait.
        right = QSplitter(Qt.Orientation.Vertical)
        right.setObjectName("monitoring_right_splitter")
        right.setChildrenCollapsible(False)
        right.addWidget(self.alerts_area)
        right.addWidget(self.plot)
        right.setStretchFactor(0, 0)
        right.setStretchFactor(1, 1)
        body = QHBoxLayout()
        body.addLayout(left)
        body.addWidget(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.clock_panel)
        layout.addWidget(self.notice)
        layout.addLayout(body, 1)

        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

    # --- construction -------------------------------------------------------------------------

    def _build_top_up(self) -> QWidget:
        box = QWidget()
        self.doses_label = QLabel("")
        self.doses_label.setObjectName("monitoring_doses")
        self.doses_label.setWordWrap(True)
        self.topup_notice = QLabel("Only a physician can record a top-up dose.")
        self.topup_notice.setProperty("role", "muted")
        self.top_up = DoseForm(self.ctx.clock, "top-up")
        self.top_up.submitted.connect(self._save_top_up)
        layout = QVBoxLayout(box)
        layout.addWidget(self.doses_label)
        layout.addWidget(self.topup_notice)
        layout.addWidget(self.top_up)
        layout.addStretch(1)
        return box

    # --- the chime ----------------------------------------------------------------------------

    @property
    def chime(self) -> Chime:
        if self._chime is None:
            self._chime = BellChime(self.ctx.data_dir / "cache" / "sounds", self)
        return self._chime

    @chime.setter
    def chime(self, chime: Chime) -> None:
        self._chime = chime

    # --- loading and repainting ---------------------------------------------------------------

    def load(self, session: SessionRow) -> None:
        if self.session is None or self.session.id != session.id:
            self._announced = set()
            self.state = None
        super().load(session)
        self.observations.session_id = session.id
        self.reload()

    def prepare_step(self) -> bool:
        """Work done ahead of the dose, a piece per call from the session screen's clock tick:
        once pyqtgraph is imported (in the background) build the plot a piece at a time. True
        while work remains."""
        protocol = self.ctx.services.protocol
        if not self._polished:
            # The page's first show would style all its widgets (the stylesheet) then.
            self.ensurePolished()
            self._polished = True
            return True
        if self.plot.built or protocol is None:
            return False
        if not self.pyqtgraph_ready.done():
            return True
        if self.plot.prepare_step(protocol.alerts):
            return True
        if self.state is not None:
            self.plot.prefit(self.state)
        return False

    def reload(self) -> None:
        """Read the session's monitoring record from the database and show it, all of it."""
        self._show(self._read(), refresh_setup=True)

    def _read(self) -> MonitoringState | None:
        if self.session is None:
            return None
        return self.ctx.services.monitoring.monitoring_state(self.session.id)

    def _show(self, state: MonitoringState | None, *, refresh_setup: bool) -> None:
        """Show `state`, just read from the database. Parts whose stored rows did not change are
        left as they are (a typed acknowledgement note survives, the plot redraws little)."""
        if state is None:
            return
        before, self.state = self.state, state
        services = self.ctx.services
        protocol = services.protocol
        actor = self.ctx.actor
        may_record = actor is not None and actor.may(Action.RECORD_MONITORING)
        may_dose = actor is not None and actor.may(Action.DOSE)
        ready = state.t0 is not None and protocol is not None
        if protocol is None:
            self.notice.setText(f"The protocol file is broken: {services.protocol_error}")
        elif state.t0 is None:
            self.notice.setText("Monitoring starts with the dose: record it on the Dose page.")
        self.notice.setVisible(not ready)
        self.clock_panel.setVisible(ready)
        self.tabs.setEnabled(ready and may_record)
        if protocol is not None:
            self.observations.show_tags(protocol)
        if ready:
            assert protocol is not None
            self.plot.build(protocol.alerts)  # at once if it was not prepared ahead
        self.plot.show_state(state)
        # The top-up form needs the physicians, the weight and the doses: read again when the
        # page is (re)loaded or the doses changed, and only once its tab is on screen.
        if refresh_setup or before is None or before.doses != state.doses:
            self._top_up_stale = True
            self._refresh_top_up()
        self.top_up.setEnabled(may_dose)
        self.topup_notice.setVisible(not may_dose)
        if before is None or before.doses != state.doses:
            self.doses_label.setText("\n".join(dose_summary(d) for d in state.doses))
        if before is None or before.alerts != state.alerts or before.t0 != state.t0:
            self.alerts.show_alerts(state.alerts, state.t0)
            self.alerts_area.setVisible(bool(state.alerts))
            self.alerts.adjustSize()
            self.alerts_area.setMinimumHeight(
                min(self.alerts.sizeHint().height(), ALERTS_MAX_HEIGHT)
            )
        self.observations.show_observations(state.observations, state.note_signed)
        self.tick()

    def _refresh_top_up(self) -> None:
        state = self.state
        if not self._top_up_stale or state is None or state.t0 is None:
            return
        if self.tabs.currentWidget() is not self._top_up_tab:
            return
        self.top_up.set_setup(self.ctx.services.dosing.setup(state.session_id), self.ctx.actor)
        self._top_up_stale = False

    def tick(self) -> None:
        """Repaint the clock and checkpoint states from the stored T0 and the clock; chime once
        when a checkpoint becomes due and once when it becomes overdue."""
        state, protocol = self.state, self.ctx.services.protocol
        if state is None or state.t0 is None or protocol is None:
            return
        clock = SessionClock(state.t0, protocol, self.ctx.clock)
        done, missed = state.done, dict(state.missed)
        states = clock.states(done, missed)
        nxt = clock.next_checkpoint(done, missed)
        self.clock_panel.show_state(
            state.t0, self.ctx.clock.now(), clock.planned_end, states, nxt, missed
        )
        self.form.set_checkpoints(states, nxt.key if nxt is not None else None)
        self.finish.setEnabled(clock.observation_complete())
        self.finish.setToolTip(
            ""
            if clock.observation_complete()
            else f"The minimum observation time ends at {hm(clock.observation_complete_at)}."
        )
        for s in states:
            if s.status in ("due", "overdue") and (s.key, s.status) not in self._announced:
                self._announced.add((s.key, s.status))
                self.chime.ring(s.status == "overdue")

    # --- entries ------------------------------------------------------------------------------

    def _session_id(self) -> int:
        assert self.session is not None
        return self.session.id

    def _save_entry(self, entry: CheckpointEntry) -> None:
        actor = self.ctx.require_actor()
        services = self.ctx.services
        try:
            if entry.key == EXTRA:
                attempt(
                    self,
                    "save reading",
                    lambda: services.monitoring.record_extra_reading(
                        actor, self._session_id(), entry.values, entry.measured_at
                    ),
                )
                what = "Extra reading"
            else:
                moaas = entry.moaas
                assert moaas is not None
                result = attempt(
                    self,
                    "save checkpoint",
                    lambda: services.monitoring.record_checkpoint(
                        actor,
                        self._session_id(),
                        entry.key,
                        entry.values,
                        entry.measured_at,
                        moaas,
                        entry.cadss_items,
                        entry.nausea,
                        entry.distress,
                        entry.note,
                    ),
                )
                what = (
                    f"{result.checkpoint.offset_min:g} min checkpoint"
                    if (result.checkpoint.offset_min is not None)
                    else "Before-discharge checkpoint"
                )
        except FieldError as e:
            self.form.show_error(e.field, e.message)
            return
        except ActionFailed:
            return
        self.form.reset()
        self.saved.setText(f"{what} saved at {hm(self.ctx.clock.now())}.")
        self._after_entry()

    def _mark_missed(self, key: str, reason: str) -> None:
        try:
            attempt(
                self,
                "mark missed",
                lambda: self.ctx.services.monitoring.mark_missed(
                    self.ctx.require_actor(), self._session_id(), key, reason
                ),
            )
        except FieldError as e:
            self.form.show_error(e.field, e.message)
            return
        except ActionFailed:
            return
        self.form.reset()
        self._after_entry()

    def _save_top_up(self, entry: DoseInput) -> None:
        if record(self.ctx, self, self.top_up, self._session_id(), "top-up", entry) is not None:
            self.top_up.reset()
            self._after_entry()

    def _acknowledge(self, alert_id: int, note: str) -> None:
        try:
            attempt(
                self,
                "acknowledge alert",
                lambda: self.ctx.services.alerts.acknowledge(
                    self.ctx.require_actor(), alert_id, note
                ),
            )
        except FieldError as e:
            card = self.alerts.cards.get(alert_id)
            if card is not None:
                card.note.setToolTip(e.message)
                card.note.setPlaceholderText(e.message)
            return
        except ActionFailed:
            return
        self._after_entry()

    def _after_entry(self) -> None:
        """After a committed entry: read back what is stored, show what changed."""
        self._show(self._read(), refresh_setup=False)
        self.changed.emit()

    # --- timer lifetime -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)
