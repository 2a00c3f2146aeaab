"""A calm breathing pacer: a large circle that grows on the in-breath and shrinks on the out-breath.

The widget owns no timer: the owning screen calls `update_from(elapsed_s)` on its own tick with time
from its injected clock, so the pacer never drifts and tests need no waiting. Colours come from the
widget palette (Highlight for the circle, WindowText for the label), so it follows the dim theme.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from audio.pacer import RESONANCE, BreathPattern, PacerState, pacer_state

_MIN_FRACTION = 0.35  # radius at empty lungs, as a fraction of the largest radius


class BreathingPacer(QWidget):
    """Shows `pacer_state(pattern, elapsed)`; repaints only when what it shows has changed."""

    def __init__(self, pattern: BreathPattern = RESONANCE, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("breathing_pacer")
        self.setAccessibleName("Breathing pacer")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(160, 160)
        self._pattern = pattern
        self._state = pacer_state(pattern, 0.0)
        self._update_description()

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    @property
    def pattern(self) -> BreathPattern:
        return self._pattern

    def set_pattern(self, pattern: BreathPattern) -> None:
        if pattern == self._pattern:
            return
        self._pattern = pattern
        self._update_description()
        self.update_from(0.0)

    def state(self) -> PacerState:
        return self._state

    def label(self) -> str:
        return self._state.label

    def update_from(self, elapsed_s: float) -> None:
        """Move to `elapsed_s` seconds since the pacer started."""
        new = pacer_state(self._pattern, elapsed_s)
        old, self._state = self._state, new
        # Half a pixel of change is invisible; skip the repaint (the screen ticks often).
        if new.label != old.label or abs(new.size - old.size) * self._max_radius() >= 0.5:
            self.update()

    set_elapsed = update_from

    def _update_description(self) -> None:
        p = self._pattern
        self.setAccessibleDescription(
            f"{p.name}: breathe in {p.inhale_s:g} s, hold {p.hold_in_s:g} s, "
            f"breathe out {p.exhale_s:g} s, hold {p.hold_out_s:g} s"
        )

    def _max_radius(self) -> float:
        return max(0.0, min(self.width(), self.height()) / 2 - 8)

    def circle_radius(self) -> float:
        """Current circle radius in pixels (eased size between the smallest and largest circle)."""
        largest = self._max_radius()
        return largest * (_MIN_FRACTION + (1 - _MIN_FRACTION) * self._state.size)

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            centre = QPointF(self.width() / 2, self.height() / 2)
            largest = self._max_radius()
            # A faint guide ring shows where "full" is, so the in-breath has a destination.
            ring = QColor(palette.color(QPalette.ColorRole.Mid))
            painter.setPen(QPen(ring, 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, largest, largest)
            fill = QColor(palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(150)  # soft, not a bright disc in a dark room
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            radius = self.circle_radius()
            painter.drawEllipse(centre, radius, radius)
            font = QFont(self.font())
            font.setPixelSize(max(14, int(largest * 0.16)))
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._state.label)
        finally:
            painter.end()
