"""Drives the real start-up (`main.main()`) in a fresh offscreen process and prints what it saw
as one JSON line: which first window appeared, whether the ORM had loaded by then, and — after
typing the account and confirming at once, before the record is open — the screen shown.

Usage: python -m tests.startup_driver DATA_DIR (demo|real) USERNAME SECRET [DISPLAY_NAME]
"""

from __future__ import annotations

import json
import sys
from typing import Any


def main(argv: list[str]) -> int:
    data_dir, mode, username, secret = argv[:4]
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QShowEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    import main as entry
    from ui.sign_in import FirstAdminDialog, SignInDialog, _OpeningDialog

    seen: dict[str, Any] = {}
    original_exec = _OpeningDialog.exec

    def show_event(self: _OpeningDialog, event: QShowEvent) -> None:
        seen.setdefault("first_window", type(self).__name__)
        seen.setdefault("orm_loaded_when_shown", "sqlalchemy" in sys.modules)

    def exec_(self: _OpeningDialog) -> int:
        assert isinstance(self, SignInDialog | FirstAdminDialog)

        def type_and_confirm() -> None:
            assert isinstance(self, SignInDialog | FirstAdminDialog)
            seen["opened_when_confirmed"] = self.opened
            if isinstance(self, FirstAdminDialog):
                QTest.keyClicks(self.display_name, argv[4])
            QTest.keyClicks(self.username, username)
            QTest.keyClicks(self.secret, secret)
            QTest.keyClick(self.secret, Qt.Key.Key_Return)
            seen["status_after_early_confirm"] = (
                self.status.text() if self.status.isVisible() else ""
            )

        QTimer.singleShot(0, type_and_confirm)
        code = original_exec(self)
        import ui.shell

        original_show = ui.shell.Shell.show_signed_in

        def show_signed_in(self: ui.shell.Shell) -> None:
            original_show(self)
            seen["screen"] = self.window.current_screen()
            seen["user"] = self.window.user_label.text()
            QTimer.singleShot(0, QApplication.quit)

        ui.shell.Shell.show_signed_in = show_signed_in  # type: ignore[method-assign]
        return code

    _OpeningDialog.showEvent = show_event  # type: ignore[method-assign, assignment]
    _OpeningDialog.exec = exec_  # type: ignore[method-assign, assignment]
    code = entry.main(["--data-dir", data_dir] + (["--demo"] if mode == "demo" else []))
    print(json.dumps(seen | {"exit": code}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
