"""The idle lock: after N minutes without keyboard or mouse input, a full-window overlay hides every
patient detail but keeps showing each running session's clock and whether a checkpoint is due.

Time comes from the injected Clock (`monotonic()` for idleness, stored T0 for session clocks); the
QTimer only triggers the check and the repaint, so tests advance a ManualClock and call `tick()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from companion.roles import Actor
from companion.services.sessions import SessionRow
from companion.services.staff import SignInRefused
from companion.storage.errors import StorageError
from companion.storage.models import PHASE_LABELS, Checkpoint, Role
from ui.context import AppContext
from ui.forms import FieldMessage, named
from ui.theme import restyle
from ui.util import clock_text, hm

log = logging.getLogger(__name__)

DEFAULT_IDLE_MINUTES = 10.0
TICK_MS = 500
UNLOCK_ROLES = frozenset({Role.PHYSICIAN, Role.GUIDE})
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)


@dataclass(frozen=True)
class LockedSession:
    """What the lock screen may show of a session: timing only, never who the patient is."""

    session_id: int
    elapsed: str
    caption: str
    checkpoint: str
    checkpoint_flag: str  # "", "abnormal" (due) or "alarming" (overdue)


def locked_view(ctx: AppContext, now: datetime) -> list[LockedSession]:
    """The in-progress sessions as the lock screen shows them, oldest first."""
    return [_locked(ctx, row, now) for row in ctx.services.sessions.unfinished()]


def _locked(ctx: AppContext, row: SessionRow, now: datetime) -> LockedSession:
    phase = PHASE_LABELS[row.phase]
    if row.t0 is None:
        return LockedSession(
            row.id,
            clock_text((now - row.started_at).total_seconds()),
            f"{phase} · since check-in began at {hm(row.started_at)}",
            "Not dosed yet: no checkpoint running",
            "",
        )
    text, flag = _checkpoint_text(ctx, row, now)
    return LockedSession(
        row.id,
        clock_text((now - row.t0).total_seconds()),
        f"{phase} · since injection at {hm(row.t0)}",
        text,
        flag,
    )


def _checkpoint_text(ctx: AppContext, row: SessionRow, now: datetime) -> tuple[str, str]:
    from companion.schedule import SessionClock

    protocol = ctx.services.protocol
    if protocol is None or row.t0 is None:
        return "Checkpoint schedule unavailable (the protocol file is broken)", "abnormal"
    done, missed = _recorded_checkpoints(ctx, row.id)
    schedule = SessionClock(row.t0, protocol, ctx.clock)
    nxt = schedule.next_checkpoint(done, missed)
    if nxt is None:
        return "All checkpoints recorded", ""
    if nxt.status == "overdue":
        return f"Checkpoint {nxt.label}: OVERDUE", "alarming"
    if nxt.status == "due":
        return f"Checkpoint {nxt.label}: due now", "abnormal"
    if nxt.due_at is None:
        return f"Next: {nxt.label}", ""
    return f"Next checkpoint {nxt.label} in {clock_text((nxt.due_at - now).total_seconds())}", ""


def _recorded_checkpoints(
    ctx: AppContext, session_id: int
) -> tuple[dict[str, datetime], dict[str, str]]:
    # Read-only and reduced to keys and times at once (no ORM object leaves this function).
    # TODO(monitoring): use the monitoring service's read model once it exists.
    with ctx.services.db.transaction() as s:
        rows = s.execute(
            select(Checkpoint.key, Checkpoint.status, Checkpoint.measured_at).where(
                Checkpoint.session_id == session_id
            )
        ).all()
    done = {key: at for key, status, at in rows if status == "done"}
    missed = {key: "missed" for key, status, _at in rows if status == "missed"}
    return done, missed


class LockScreen(QWidget):
    """The overlay. Signals: unlocked(Actor) after a permitted person signed in."""

    unlocked = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lock_screen")
        self.setAccessibleName("Screen locked")
        self.setAutoFillBackground(True)  # opaque: nothing behind may show through
        self._ctx = ctx
        self.locked_by: Actor | None = None
        self._cards: list[tuple[QFrame, QLabel, QLabel, QLabel]] = []

        title = QLabel("Screen locked")
        title.setObjectName("lock_title")
        title.setProperty("role", "title")
        intro = QLabel(
            "Patient details are hidden. A physician or guide on duty can unlock "
            "with their user name and PIN."
        )
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)
        self.sessions_box = QVBoxLayout()
        self.sessions_box.setSpacing(10)
        self.none_label = QLabel("No session in progress.")
        self.none_label.setObjectName("lock_no_session")
        self.none_label.setProperty("role", "muted")

        self.username = named(QLineEdit(), "lock_username", "User name to unlock")
        self.secret = named(QLineEdit(), "lock_secret", "PIN to unlock")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.username.returnPressed.connect(self.secret.setFocus)
        self.secret.returnPressed.connect(self.try_unlock)
        self.message = FieldMessage("lock_error")
        self.unlock_button = named(QPushButton("Unlock"), "lock_unlock", "Unlock")
        self.unlock_button.setProperty("primary", True)
        self.unlock_button.clicked.connect(self.try_unlock)
        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("PIN", self.secret)

        column = QVBoxLayout()
        column.setSpacing(12)
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(8)
        column.addLayout(self.sessions_box)
        column.addWidget(self.none_label)
        column.addSpacing(16)
        column.addLayout(form)
        column.addWidget(self.message)
        column.addWidget(self.unlock_button, alignment=Qt.AlignmentFlag.AlignRight)
        holder = QWidget()
        holder.setObjectName("lock_column")
        holder.setMaximumWidth(640)
        holder.setLayout(column)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def refresh(self) -> None:
        """Re-read the running sessions and show their clocks (cheap: a few small queries)."""
        try:
            view = locked_view(self._ctx, self._ctx.clock.now())
        except StorageError as exc:  # keep the lock up whatever the disk does
            log.warning("lock screen could not read sessions: %s", type(exc).__name__)
            return
        while len(self._cards) < len(view):
            self._cards.append(self._add_card(len(self._cards)))
        for i, (card, clock, caption, checkpoint) in enumerate(self._cards):
            visible = i < len(view)
            card.setVisible(visible)
            if not visible:
                continue
            item = view[i]
            clock.setText(item.elapsed)
            caption.setText(item.caption)
            checkpoint.setText(item.checkpoint)
            checkpoint.setProperty("flag", item.checkpoint_flag)
            restyle(checkpoint)
        self.none_label.setVisible(not view)

    def _add_card(self, index: int) -> tuple[QFrame, QLabel, QLabel, QLabel]:
        card = QFrame()
        card.setObjectName(f"lock_session_{index}")
        card.setProperty("role", "card")
        clock = QLabel("")
        clock.setObjectName(f"lock_clock_{index}")
        clock.setProperty("role", "clock")
        caption = QLabel("")
        caption.setObjectName(f"lock_caption_{index}")
        caption.setProperty("role", "muted")
        checkpoint = QLabel("")
        checkpoint.setObjectName(f"lock_checkpoint_{index}")
        checkpoint.setProperty("role", "heading")
        box = QVBoxLayout(card)
        box.setContentsMargins(18, 10, 18, 12)
        box.setSpacing(2)
        for label in (clock, caption, checkpoint):
            box.addWidget(label)
        self.sessions_box.addWidget(card)
        return card, clock, caption, checkpoint

    def reset_form(self) -> None:
        self.username.clear()
        self.secret.clear()
        self.message.show_message("")

    def try_unlock(self) -> None:
        """Sign in (lock-out rules apply); only a clinician or whoever locked may continue."""
        try:
            actor = self._ctx.services.staff.sign_in(self.username.text(), self.secret.text())
        except SignInRefused as exc:
            self._refuse(str(exc))
            return
        except StorageError as exc:
            self._refuse(f"{exc.problem} {exc.what_to_do}")
            return
        same = self.locked_by is not None and actor.id == self.locked_by.id
        if actor.role not in UNLOCK_ROLES and not same:
            self._refuse(
                f"{actor.display_name} ({actor.role.value}) cannot unlock: a physician or "
                "guide on duty can."
            )
            return
        self.reset_form()
        self.unlocked.emit(actor)

    def _refuse(self, text: str) -> None:
        self.message.show_message(text, self.secret)
        self.secret.clear()
        self.secret.setFocus()


class IdleLock(QObject):
    """Watches input app-wide and locks `window` after `idle_minutes` without any.

    Signals: locked_changed(bool). `on_unlocked(actor)` is called after a successful unlock,
    once the new actor is in the context.
    """

    locked_changed = Signal(bool)

    def __init__(
        self,
        window: QMainWindow,
        ctx: AppContext,
        on_unlocked: Callable[[Actor], None],
        idle_minutes: float = DEFAULT_IDLE_MINUTES,
    ) -> None:
        super().__init__(window)
        if not idle_minutes > 0:
            raise ValueError("idle_minutes must be positive")
        self._window = window
        self._ctx = ctx
        self._on_unlocked = on_unlocked
        self.idle_seconds = idle_minutes * 60
        self.last_input = ctx.clock.monotonic()
        self.screen = LockScreen(ctx, window)
        self.screen.hide()
        self.screen.unlocked.connect(self._unlock)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        # Window events (show, hide, resize) come through this filter on the window; the
        # app-wide filter that sees all input is installed only while the window is shown, so a
        # hidden or closed window costs nothing per event.
        window.installEventFilter(self)

    @property
    def is_locked(self) -> bool:
        return self.screen.isVisibleTo(self._window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS:
            self.last_input = self._ctx.clock.monotonic()
        elif watched is self._window:
            app = QApplication.instance()
            if kind == QEvent.Type.Show:
                self.last_input = self._ctx.clock.monotonic()
                if app is not None:
                    app.installEventFilter(self)
                self.timer.start()
            elif kind == QEvent.Type.Hide:
                if app is not None:
                    app.removeEventFilter(self)
                self.timer.stop()
            elif kind == QEvent.Type.Resize:
                self.screen.setGeometry(self._window.rect())
        return False

    def tick(self) -> None:
        now = self._ctx.clock.monotonic()
        if not self.is_locked:
            if now - self.last_input >= self.idle_seconds and self._ctx.actor is not None:
                self.lock("idle")
            return
        self.screen.refresh()  # clocks from stored T0; a few indexed reads per tick

    def lock(self, reason: str = "manual") -> None:
        """Hide everything behind the overlay; open dialogs are closed (they show patient data)."""
        if self.is_locked:
            return
        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, QDialog)
                and widget.isVisible()
                and _owned_by(widget, self._window)
            ):
                widget.reject()
        central = self._window.centralWidget()
        if central is not None:
            central.hide()  # hidden, not just covered: no focus, no screen reader, no shortcut
        self.screen.locked_by = self._ctx.actor
        self.screen.reset_form()
        self.screen.setGeometry(self._window.rect())
        self.screen.refresh()
        self.screen.show()
        self.screen.raise_()
        self.screen.username.setFocus()
        try:
            self._ctx.services.staff.record_lock(self._ctx.actor, reason)
        except StorageError as exc:  # locking must never depend on the disk
            log.warning("could not audit lock: %s", type(exc).__name__)
        self.locked_changed.emit(True)

    def _unlock(self, actor: Actor) -> None:
        self._ctx.actor = actor
        self.screen.hide()
        central = self._window.centralWidget()
        if central is not None:
            central.show()
        self.last_input = self._ctx.clock.monotonic()
        self.locked_changed.emit(False)
        self._on_unlocked(actor)


def _owned_by(widget: QWidget, window: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if parent is window:
            return True
        parent = parent.parentWidget()
    return False
