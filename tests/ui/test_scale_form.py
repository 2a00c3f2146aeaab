"""ScaleForm: digits answer and move on, totals and bands live, PHQ-9 item 9 safety notice."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from ui.widgets.scale_form import ScaleForm


@pytest.fixture
def phq9(qtbot: QtBot) -> ScaleForm:
    form = ScaleForm("phq9")
    qtbot.addWidget(form)
    form.show()
    return form


def test_digits_answer_each_item_and_move_focus_on(qtbot: QtBot, phq9: ScaleForm) -> None:
    completed: list[list[int]] = []
    phq9.completed.connect(completed.append)
    phq9.rows[0].setFocus()
    with qtbot.waitSignal(phq9.finished, timeout=1000):
        for digit in "213210100":
            focused = QApplication.focusWidget()
            assert focused is not None
            qtbot.keyClick(focused, digit)
    assert phq9.items() == [2, 1, 3, 2, 1, 0, 1, 0, 0]
    assert completed == [[2, 1, 3, 2, 1, 0, 1, 0, 0]]
    assert phq9.total_label.text() == "PHQ-9 total 10 / 27 — Moderate"
    assert phq9.rows[2].choice.text() == "3 — Nearly every day"
    assert phq9.safety.isHidden()


def test_running_total_out_of_range_digit_and_backspace(qtbot: QtBot, phq9: ScaleForm) -> None:
    phq9.rows[0].setFocus()
    qtbot.keyClick(phq9.rows[0], "2")
    assert phq9.total_label.text() == "PHQ-9: 1 of 9 answered (running total 2)"
    qtbot.keyClick(phq9.rows[1], "7")  # answers are 0–3: refused at the item, focus stays
    assert phq9.message.text() == "Item 2: answers are 0 to 3."
    assert phq9.rows[1].value is None and phq9.rows[1].hasFocus()
    qtbot.keyClick(phq9.rows[1], Qt.Key.Key_Up)
    assert phq9.rows[0].hasFocus()
    qtbot.keyClick(phq9.rows[0], Qt.Key.Key_Backspace)
    assert phq9.items()[0] is None


def test_item9_above_zero_shows_the_safety_notice(qtbot: QtBot, phq9: ScaleForm) -> None:
    button = phq9.findChild(QPushButton, "scale_item_9_2")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not phq9.safety.isHidden()
    assert "item 9 answered 2" in phq9.safety.text()
    assert phq9.rows[8].choice.property("flag") == "alarming"
    phq9.answer(8, 0)
    assert phq9.safety.isHidden()


def test_pcl5_bands_and_clusters(qtbot: QtBot) -> None:
    form = ScaleForm("pcl5")
    qtbot.addWidget(form)
    form.set_items([2] * 16 + [1] * 4)
    assert form.total_label.text().startswith("PCL-5 total 36 / 80 — Probable PTSD")
    assert "B 10   C 4   D 14   E 8" in form.total_label.text()
    assert form.findChild(QPushButton, "scale_item_20_4") is not None
