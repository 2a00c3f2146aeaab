"""Sign-in around the main window: who is acting is always known before any screen shows data."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from companion.demo import DEMO_SECRET
from ui.context import AppContext
from ui.dialogs import FirstAdminDialog, SignInDialog
from ui.main_window import MainWindow


class Shell:
    def __init__(self, ctx: AppContext, settings: QSettings | None = None) -> None:
        self.ctx = ctx
        self.window = MainWindow(ctx, settings)
        self.window.sign_out_requested.connect(self.sign_out)

    def start(self) -> bool:
        """Sign in (or create the first administrator) and show the window; False if cancelled."""
        if not self._sign_in():
            return False
        self.window.refresh()
        self.window.show_screen("today")
        self.window.show()
        return True

    def _sign_in(self) -> bool:
        services = self.ctx.services
        if not services.staff.has_staff():
            first = FirstAdminDialog(services)
            if not first.exec() or first.actor is None:
                return False
            self.ctx.actor = first.actor
            return True
        hint = (
            f"Demo accounts: dr.okafor (physician), sam.rivera (guide), lee.chen (staff), "
            f"admin — PIN {DEMO_SECRET}."
            if self.ctx.demo
            else ""
        )
        dialog = SignInDialog(services, hint)
        if not dialog.exec() or dialog.actor is None:
            return False
        self.ctx.actor = dialog.actor
        return True

    def sign_out(self) -> None:
        self.window.hide()
        self.ctx.actor = None
        if self._sign_in():
            self.window.refresh()
            self.window.show_screen("today")
            self.window.show()
        else:
            self.window.close()
