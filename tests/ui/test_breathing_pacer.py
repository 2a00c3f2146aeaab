from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QColor, QPalette
from pytestqt.qtbot import QtBot

from audio.pacer import BOX, RESONANCE
from ui.widgets.breathing_pacer import BreathingPacer


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def make_pacer(qtbot: QtBot) -> BreathingPacer:
    pacer = BreathingPacer(RESONANCE)
    qtbot.addWidget(pacer)
    pacer.resize(300, 300)
    return pacer


def test_identity_for_styling_and_accessibility(qtbot: QtBot) -> None:
    pacer = make_pacer(qtbot)
    assert pacer.objectName() == "breathing_pacer"
    assert pacer.accessibleName() == "Breathing pacer"
    assert "breathe in 5 s" in pacer.accessibleDescription()


def test_label_and_circle_follow_elapsed_time(qtbot: QtBot) -> None:
    pacer = make_pacer(qtbot)
    pacer.update_from(0)
    assert pacer.label() == "Breathe in"
    smallest = pacer.circle_radius()
    pacer.update_from(2.5)
    assert pacer.label() == "Breathe in"
    middle = pacer.circle_radius()
    pacer.update_from(5.0)
    assert pacer.label() == "Breathe out"
    largest = pacer.circle_radius()
    assert smallest < middle < largest
    pacer.update_from(10.0)
    assert pacer.label() == "Breathe in"
    pacer.set_pattern(BOX)
    pacer.update_from(5)
    assert pacer.label() == "Hold"


def test_the_painted_circle_grows_and_shrinks(qtbot: QtBot) -> None:
    pacer = make_pacer(qtbot)
    fill = pacer.palette().color(QPalette.ColorRole.Highlight)
    background = pacer.palette().color(QPalette.ColorRole.Window)
    # A point between the smallest and the largest circle, clear of the centred label.
    probe = QPoint(150, 150 - 110)

    def distance_to(colour: QColor) -> int:
        image = pacer.grab().toImage()
        pixel = image.pixelColor(probe * image.devicePixelRatio())
        return abs(pixel.red() - colour.red()) + abs(pixel.green() - colour.green())

    pacer.update_from(0)  # empty lungs: the probe is outside the circle
    outside = distance_to(fill), distance_to(background)
    pacer.update_from(5)  # full: the probe is inside
    inside = distance_to(fill), distance_to(background)
    assert inside[0] < outside[0]
    assert outside[1] < inside[1]


def test_repaints_when_the_breath_moves_and_not_otherwise(qtbot: QtBot) -> None:
    pacer = make_pacer(qtbot)
    pacer.show()
    qtbot.waitExposed(pacer)
    counter = PaintCounter()
    pacer.installEventFilter(counter)
    pacer.update_from(2.5)
    qtbot.waitUntil(lambda: counter.count > 0, timeout=1000)
    painted = counter.count
    pacer.update_from(2.5)  # nothing changed: no repaint requested
    qtbot.wait(50)
    assert counter.count == painted
    pacer.removeEventFilter(counter)
