"""The themes stay readable: check boxes show their state in the dim theme, flags carry text."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox
from pytestqt.qtbot import QtBot

from ui.theme import THEMES, apply_theme


def accent_pixels(image: QImage, accent: QColor) -> int:
    count = 0
    for y in range(image.height()):
        for x in range(min(image.width(), 30)):
            c = image.pixelColor(x, y)
            if (
                abs(c.red() - accent.red())
                + abs(c.green() - accent.green())
                + abs(c.blue() - accent.blue())
                < 30
            ):
                count += 1
    return count


@pytest.mark.parametrize("name", sorted(THEMES))
def test_checked_box_is_visibly_different_from_unchecked(qtbot: QtBot, name: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme = apply_theme(app, name)
    box = QCheckBox("Consent on file")
    qtbot.addWidget(box)
    box.resize(220, 32)
    unchecked = box.grab().toImage()
    box.setChecked(True)
    checked = box.grab().toImage()
    accent = QColor(theme.accent)
    # A filled accent square of ~18 px a side appears only when checked.
    assert accent_pixels(checked, accent) > 150
    assert accent_pixels(unchecked, accent) < 20
    apply_theme(app, "dim")
