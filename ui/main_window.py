"""The main window: navigation between Today, Session and History."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.roles import Action, Actor
from ui.admin import AdminScreen
from ui.background import preload
from ui.context import AppContext
from ui.history import HistoryScreen
from ui.lock_screen import DEFAULT_IDLE_MINUTES, IdleLock
from ui.session_screen import SessionScreen
from ui.theme import apply_theme
from ui.today import TodayScreen

SCREENS = ("today", "session", "history", "admin")
PRELOAD_AFTER_MS = 500  # after the first paint: the import must not compete with start-up
W = TypeVar("W", bound=QWidget)


class MainWindow(QMainWindow):
    """Signals: sign_out_requested."""

    sign_out_requested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        settings: QSettings | None = None,
        idle_lock_minutes: float = DEFAULT_IDLE_MINUTES,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("Session Companion" + (" — DEMO DATA" if ctx.demo else ""))
        self.ctx = ctx
        self._settings = settings

        self.today = TodayScreen(ctx)
        self.session = SessionScreen(ctx)
        # History and Admin are built when first shown: signing in then waits only for Today.
        self._history: HistoryScreen | None = None
        self._admin: AdminScreen | None = None
        self.stack = QStackedWidget()
        for screen in (self.today, self.session, QWidget(), QWidget()):
            self.stack.addWidget(screen)

        bar = QHBoxLayout()
        bar.setContentsMargins(12, 4, 12, 0)
        self.nav = QButtonGroup(self)
        self.nav.setExclusive(True)
        self.nav_buttons: dict[str, QToolButton] = {}
        for i, (key, label) in enumerate(
            [("today", "Today"), ("session", "Session"), ("history", "History"), ("admin", "Admin")]
        ):
            button = QToolButton()
            button.setText(label)
            button.setObjectName(f"nav_{key}")
            button.setAccessibleName(f"Go to {label}")
            button.setToolTip(f"{label} (Ctrl+{i + 1})")
            button.setCheckable(True)
            button.setProperty("nav", True)
            button.clicked.connect(lambda _c=False, k=key: self.show_screen(k))
            shortcut = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
            shortcut.activated.connect(lambda k=key: self.show_screen(k))
            self.nav.addButton(button)
            self.nav_buttons[key] = button
            bar.addWidget(button)
        bar.addStretch(1)
        if ctx.demo:
            demo = QLabel("DEMO DATA — synthetic patients")
            demo.setObjectName("demo_badge")
            demo.setProperty("role", "banner")
            bar.addWidget(demo)
        self.user_label = QLabel("")
        self.user_label.setObjectName("signed_in_user")
        self.user_label.setProperty("role", "muted")
        bar.addWidget(self.user_label)
        self.theme_button = QToolButton()
        self.theme_button.setObjectName("theme_toggle")
        self.theme_button.setAccessibleName("Switch between dim and light theme")
        self.theme_button.setText("Light theme")
        self.theme_button.clicked.connect(self.toggle_theme)
        bar.addWidget(self.theme_button)
        self.lock_button = QToolButton()
        self.lock_button.setObjectName("lock_now")
        self.lock_button.setText("Lock")
        self.lock_button.setAccessibleName("Lock the screen now")
        self.lock_button.setToolTip("Lock the screen now (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock_now)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock_now)
        bar.addWidget(self.lock_button)
        self.sign_out_button = QToolButton()
        self.sign_out_button.setObjectName("sign_out")
        self.sign_out_button.setText("Sign out")
        self.sign_out_button.setAccessibleName("Sign out")
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        bar.addWidget(self.sign_out_button)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        QShortcut(QKeySequence.StandardKey.Find, self, self._find)

        self.today.open_session.connect(self.open_session)
        # Today refreshes when it is shown; refreshing it hidden on every save only stalled the GUI.
        # Admin is offered to administrators only (the services refuse everyone else anyway).
        self.nav_buttons["admin"].hide()
        self.idle_lock = IdleLock(self, ctx, self._after_unlock, idle_lock_minutes)
        self.resize(1280, 800)
        self.setMinimumSize(1024, 680)
        self._preloading = False
        if settings is not None:
            geometry = settings.value("main_window/geometry")
            if geometry is not None:
                self.restoreGeometry(geometry)

    @property
    def history(self) -> HistoryScreen:
        if self._history is None:
            self._history = self._place(HistoryScreen(self.ctx), "history")
            self._history.open_session.connect(self.open_session)
        return self._history

    @property
    def admin(self) -> AdminScreen:
        if self._admin is None:
            self._admin = self._place(AdminScreen(self.ctx), "admin")
        return self._admin

    def _place(self, screen: W, key: str) -> W:
        """Put a screen built late into its slot of the stack, in place of the placeholder."""
        index = SCREENS.index(key)
        placeholder = self.stack.widget(index)
        assert placeholder is not None
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, screen)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        self.stack.setCurrentIndex(current)
        return screen

    def set_actor_label(self) -> None:
        a = self.ctx.actor
        self.user_label.setText(f"{a.display_name} · {a.role.value}" if a else "")
        self.today.apply_permissions()
        is_admin = a is not None and a.may(Action.MANAGE_STAFF)
        self.nav_buttons["admin"].setVisible(is_admin)
        if not is_admin and self.current_screen() == "admin":
            self.show_screen("today")

    def lock_now(self) -> None:
        self.idle_lock.lock("manual")

    def _after_unlock(self, _actor: Actor) -> None:
        # The person who unlocked is now the actor: labels, permissions and lists follow.
        self.set_actor_label()
        if self.current_screen() == "session":
            self.session.update_clock()

    def refresh(self) -> None:
        self.set_actor_label()
        self.today.refresh()
        if self._history is not None:
            self._history.refresh()

    def show_screen(self, key: str) -> None:
        if key == "today":
            self.today.refresh()
        elif key == "history":
            self.history.refresh()
        elif key == "admin":
            if not (self.ctx.actor and self.ctx.actor.may(Action.MANAGE_STAFF)):
                return
            self.admin.refresh()
        elif key != "session":
            raise KeyError(key)
        self.stack.setCurrentIndex(SCREENS.index(key))
        self.nav_buttons[key].setChecked(True)

    def open_session(self, session_id: int) -> None:
        self.session.open(session_id)
        self.show_screen("session")

    def current_screen(self) -> str:
        return SCREENS[self.stack.currentIndex()]

    def toggle_theme(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        name = "light" if app.property("companion_theme") == "dim" else "dim"
        apply_theme(app, name)
        self.theme_button.setText("Dim theme" if name == "light" else "Light theme")
        if self._settings is not None:
            self._settings.setValue("theme", name)

    def _find(self) -> None:
        if self.current_screen() == "history":
            self.history.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.show_screen("today")
            self.today.focus_search()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._preloading:
            # The plots (Monitoring, a record's vitals) need pyqtgraph, ~0.5 s to import: it is
            # imported in the background once the window is up, so a session resumed after a
            # crash or a record opened from History does not wait for it.
            self._preloading = True
            QTimer.singleShot(PRELOAD_AFTER_MS, self, lambda: preload("pyqtgraph"))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._settings is not None:
            self._settings.setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
