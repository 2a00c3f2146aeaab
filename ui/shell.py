"""Sign-in around the main window: who is acting is always known before any screen shows data."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from companion.demo_accounts import demo_sign_in_hint
from companion.roles import Action
from ui.context import AppContext
from ui.lock_screen import DEFAULT_IDLE_MINUTES
from ui.main_window import MainWindow
from ui.resume import ResumeDialog
from ui.sign_in import FirstAdminDialog, SignInDialog


class Shell:
    def __init__(self, ctx: AppContext, settings: QSettings | None = None) -> None:
        self.ctx = ctx
        protocol = ctx.services.protocol
        # The clinic's protocol file sets the idle lock; a broken file keeps the safe default.
        idle = protocol.idle_lock_minutes if protocol is not None else DEFAULT_IDLE_MINUTES
        self.window = MainWindow(ctx, settings, idle_lock_minutes=idle)
        self.window.sign_out_requested.connect(self.sign_out)
        self.resume_dialog: ResumeDialog | None = None

    def start(self) -> bool:
        """Sign in (or create the first administrator) and show the window; False if cancelled."""
        if not self._sign_in():
            return False
        self.show_signed_in()
        return True

    def show_signed_in(self) -> None:
        """Today, for the signed-in actor, with the resume offer after a crash."""
        self.window.refresh()
        self.window.show_screen("today")
        self.window.show()
        self.offer_resume()

    def offer_resume(self) -> ResumeDialog | None:
        """After a crash: offer the sessions still in progress (non-blocking, window-modal).
        Only clinicians are asked; others can still open them from Today."""
        actor = self.ctx.actor
        if actor is None or not actor.may(Action.RECORD_MONITORING):
            return None
        rows = self.ctx.services.sessions.unfinished()
        if not rows:
            return None
        dialog = ResumeDialog(rows, self.ctx.clock.now(), self.window)
        dialog.accepted.connect(lambda: self._resume(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.resume_dialog = dialog
        dialog.open()
        return dialog

    def _resume(self, dialog: ResumeDialog) -> None:
        if dialog.chosen is not None:
            self.window.open_session(dialog.chosen)

    def _sign_in(self) -> bool:
        services = self.ctx.services
        dialog: SignInDialog | FirstAdminDialog
        if not services.staff.has_staff():
            dialog = FirstAdminDialog(services)
        else:
            dialog = SignInDialog(services, demo_sign_in_hint() if self.ctx.demo else "")
        if not dialog.exec() or dialog.actor is None:
            return False
        self.ctx.actor = dialog.actor
        return True

    def sign_out(self) -> None:
        self.window.hide()
        self.ctx.actor = None
        if self._sign_in():
            self.show_signed_in()
        else:
            self.window.close()
