"""The Monitoring phase: the session clock, checkpoints, observations, top-ups, the live plot and
alerts.

Data is read from the database when the page is shown and after every entry; the parented timer
only repaints the clock and checkpoint states, which are computed from the stored T0 and the
injected clock (so a restarted app shows the right time at once).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.errors import FieldError
from companion.protocol import Protocol
from companion.roles import Action
from companion.schedule import SessionClock
from companion.services.monitoring import MonitoringState, ObservationRow
from companion.services.sessions import SessionRow
from companion.storage.models import Phase
from ui.actions import ActionFailed, attempt
from ui.chime import BellChime, Chime
from ui.context import AppContext
from ui.dose_page import DoseForm, DoseInput, dose_summary, record
from ui.forms import FieldMessage, named
from ui.monitoring_plot import MonitoringPlot
from ui.phase_page import PhasePage
from ui.util import hm
from ui.widgets.alerts_panel import AlertsPanel
from ui.widgets.checkpoint_form import EXTRA, CheckpointEntry, CheckpointForm
from ui.widgets.session_clock import SessionClockPanel

TICK_MS = 500
LEFT_WIDTH = 540
ALERTS_MAX_HEIGHT = 150  # alerts push the plot down while they wait; the rest scrolls


def _slug(tag: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in tag.lower())


def observation_text(o: ObservationRow) -> str:
    at = f"{o.minutes_since_t0:+.0f} min" if o.minutes_since_t0 is not None else hm(o.observed_at)
    flags = ("  ⚠ adverse event" if o.adverse_event else "") + ("  (edited)" if o.edited else "")
    return f"{at}   {o.label}{flags}"


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
        self.tabs.addTab(self._build_observations(), "Observations")
        self.tabs.addTab(_scrolled(self._build_top_up()), "Top-up dose")
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

    def _build_observations(self) -> QWidget:
        box = QWidget()
        self.tag_grid = QGridLayout()
        self.tag_buttons: dict[str, QPushButton] = {}
        self.obs_text = named(QLineEdit(), "obs_text", "Observation text")
        self.obs_text.setPlaceholderText("Type an observation, Enter to add")
        self.obs_text.setMaxLength(2000)
        self.obs_text.returnPressed.connect(self._add_typed)
        self.obs_adverse = named(QCheckBox("Adverse event"), "obs_adverse", "Adverse event")
        self.obs_add = named(QPushButton("Add"), "obs_add", "Add observation")
        self.obs_add.clicked.connect(self._add_typed)
        self.obs_error = FieldMessage("obs_text_error")
        self.obs_list = named(QListWidget(), "obs_list", "Observations so far")
        self.obs_list.currentItemChanged.connect(self._obs_selected)
        self.obs_edit = named(QLineEdit(), "obs_edit_text", "Corrected observation text")
        self.obs_edit.setPlaceholderText("Select an observation to correct its text")
        self.obs_edit.setMaxLength(2000)
        self.obs_edit.returnPressed.connect(self._save_edit)
        self.obs_edit_save = named(QPushButton("Save change"), "obs_edit_save", "Save change")
        self.obs_edit_save.clicked.connect(self._save_edit)
        self.obs_edit_error = FieldMessage("obs_edit_error")
        typed = QHBoxLayout()
        typed.addWidget(self.obs_text, 1)
        typed.addWidget(self.obs_adverse)
        typed.addWidget(self.obs_add)
        edit = QHBoxLayout()
        edit.addWidget(self.obs_edit, 1)
        edit.addWidget(self.obs_edit_save)
        layout = QVBoxLayout(box)
        caption = QLabel("One tap records now:")
        caption.setProperty("role", "muted")
        layout.addWidget(caption)
        layout.addLayout(self.tag_grid)
        layout.addLayout(typed)
        layout.addWidget(self.obs_error)
        layout.addWidget(self.obs_list, 1)
        layout.addLayout(edit)
        layout.addWidget(self.obs_edit_error)
        return box

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

    def _show_tags(self, protocol: Protocol) -> None:
        if list(self.tag_buttons) == list(protocol.quick_tags):
            return
        for i, tag in enumerate(protocol.quick_tags):
            button = named(QPushButton(tag), f"obs_tag_{_slug(tag)}", f"Record observation: {tag}")
            button.setMinimumHeight(40)
            button.clicked.connect(lambda _c=False, t=tag: self._add_tag(t))
            self.tag_grid.addWidget(button, i // 3, i % 3)
            self.tag_buttons[tag] = button

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
        super().load(session)
        self.reload()

    def reload(self) -> None:
        """Read the session's monitoring record from the database and show it."""
        if self.session is None:
            return
        services = self.ctx.services
        self.state = state = services.monitoring.monitoring_state(self.session.id)
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
            self._show_tags(protocol)
        if ready:
            assert protocol is not None
            self.plot.build(protocol.alerts)
            self.plot.show_state(state)
            setup = services.dosing.setup(state.session_id)
            self.top_up.set_setup(setup, actor)
        self.top_up.setEnabled(may_dose)
        self.topup_notice.setVisible(not may_dose)
        self.doses_label.setText("\n".join(dose_summary(d) for d in state.doses))
        self.alerts.show_alerts(state.alerts, state.t0)
        self.alerts_area.setVisible(bool(state.alerts))
        self.alerts.adjustSize()
        self.alerts_area.setMinimumHeight(min(self.alerts.sizeHint().height(), ALERTS_MAX_HEIGHT))
        self._show_observations(state)
        self.tick()

    def _show_observations(self, state: MonitoringState) -> None:
        selected = self.obs_list.currentItem()
        keep = selected.data(Qt.ItemDataRole.UserRole) if selected is not None else None
        self.obs_list.blockSignals(True)
        self.obs_list.clear()
        for o in reversed(state.observations):  # newest first: that is what is looked for
            item = QListWidgetItem(observation_text(o))
            item.setData(Qt.ItemDataRole.UserRole, o.id)
            self.obs_list.addItem(item)
            if o.id == keep:
                self.obs_list.setCurrentItem(item)
        self.obs_list.blockSignals(False)
        locked = state.note_signed
        self.obs_edit.setEnabled(not locked)
        self.obs_edit_save.setEnabled(not locked)
        if locked:
            self.obs_edit.setPlaceholderText("The note is signed: observations are locked")

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

    def _add_tag(self, tag: str) -> None:
        self._add_observation(tag, None)

    def _add_typed(self) -> None:
        if self._add_observation(None, self.obs_text.text()):
            self.obs_text.clear()
            self.obs_adverse.setChecked(False)

    def _add_observation(self, tag: str | None, text: str | None) -> bool:
        self.obs_error.show_message("")
        try:
            attempt(
                self,
                "add observation",
                lambda: self.ctx.services.monitoring.add_observation(
                    self.ctx.require_actor(),
                    self._session_id(),
                    tag,
                    text,
                    self.ctx.clock.now(),
                    self.obs_adverse.isChecked(),
                ),
            )
        except FieldError as e:
            self.obs_error.show_message(e.message, self.obs_text)
            return False
        except ActionFailed:
            return False
        self.obs_error.show_message("", self.obs_text)
        self._after_entry()
        return True

    def _obs_selected(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        self.obs_edit_error.show_message("")
        if item is None or self.state is None:
            self.obs_edit.clear()
            return
        oid = item.data(Qt.ItemDataRole.UserRole)
        obs = next((o for o in self.state.observations if o.id == oid), None)
        self.obs_edit.setText(obs.text or "" if obs is not None else "")

    def _save_edit(self) -> None:
        item = self.obs_list.currentItem()
        if item is None:
            self.obs_edit_error.show_message("Select the observation to correct first.")
            return
        oid = int(item.data(Qt.ItemDataRole.UserRole))
        try:
            attempt(
                self,
                "edit observation",
                lambda: self.ctx.services.monitoring.edit_observation(
                    self.ctx.require_actor(), oid, self.obs_edit.text()
                ),
            )
        except FieldError as e:
            self.obs_edit_error.show_message(e.message, self.obs_edit)
            return
        except ActionFailed:
            return
        self.obs_edit_error.show_message("", self.obs_edit)
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
        self.reload()
        self.changed.emit()

    # --- timer lifetime -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)
