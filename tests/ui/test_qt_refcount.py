"""Guards against a PySide6 build that leaks references to None (6.12.0 on Python 3.11 drops one
per void method call, and the app aborts with 'none_dealloc' after a few thousand calls)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot


def test_void_qt_calls_do_not_drop_references_to_none(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    app = QApplication.instance()
    assert app is not None
    before = sys.getrefcount(None)
    for _ in range(500):
        widget.setObjectName("probe")
        widget.update()
        app.processEvents()
    # A few references may come and go with the event loop; a leak loses at least 1500 here.
    assert sys.getrefcount(None) - before > -50
