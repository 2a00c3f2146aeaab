"""Plot helpers shared by screens: themed pyqtgraph plots, and a plain QPainter chart for paper.

pyqtgraph costs ~0.65 s to import, so it is imported inside the functions that build a plot, never
at module level. The paper chart uses only QtGui (QImage + QPainter): it runs under a bare
QGuiApplication (the command-line PDF export) and off the GUI thread (the export worker).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from companion.services.record_types import SessionRecord
from ui.theme import current_theme


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[float, float], ...]
    colour_role: str  # a Theme attribute: accent, abnormal, ok, alarming, muted, text
    symbol: str  # pyqtgraph symbol; shape tells series apart without colour
    dash: Qt.PenStyle = Qt.PenStyle.SolidLine


def vitals_series(record: SessionRecord) -> tuple[str, list[Series]]:
    """(x-axis label, series) for BP, pulse and SpO2: minutes since T0, or since the start."""
    origin = record.t0 or record.started_at
    label = "minutes since injection (T0)" if record.t0 else "minutes since session start"

    def pts(attr: str) -> tuple[tuple[float, float], ...]:
        return tuple(
            ((v.measured_at - origin).total_seconds() / 60, float(getattr(v, attr)))
            for v in record.vitals
            if getattr(v, attr) is not None
        )

    return label, [
        Series("Systolic", pts("systolic"), "alarming", "t", Qt.PenStyle.SolidLine),
        Series("Diastolic", pts("diastolic"), "abnormal", "t1", Qt.PenStyle.DashLine),
        Series("Pulse", pts("pulse"), "accent", "o", Qt.PenStyle.DotLine),
        Series("SpO₂ %", pts("spo2"), "ok", "s", Qt.PenStyle.DashDotLine),
    ]


_SYMBOL_GLYPH = {"t": "▼", "t1": "▲", "o": "●", "s": "■"}


class SeriesPlot(QWidget):
    """A themed pyqtgraph plot with its legend in a row above it, so it never hides data.

    pyqtgraph is imported in the constructor: build one only when it is about to be shown.
    """

    def __init__(
        self,
        object_name: str,
        accessible: str,
        x_label: str,
        y_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        t = current_theme()
        self.setObjectName(object_name)
        self.legend = QLabel("")
        self.legend.setObjectName(f"{object_name}_legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.widget = pg.PlotWidget(background=t.base)
        self.widget.setAccessibleName(accessible)
        self.item = self.widget.getPlotItem()
        for side in ("left", "bottom"):
            axis = self.item.getAxis(side)
            axis.setPen(pg.mkPen(t.muted))
            axis.setTextPen(pg.mkPen(t.text))
        self.item.setLabel("bottom", x_label, color=t.muted)
        self.item.setLabel("left", y_label, color=t.muted)
        self.item.showGrid(x=True, y=True, alpha=0.15)
        self.item.setMenuEnabled(False)
        self.widget.setMinimumHeight(200)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.widget, 1)
        self.series: list[Series] = []

    def set_x_label(self, text: str) -> None:
        self.item.setLabel("bottom", text, color=current_theme().muted)

    def set_series(self, series: Sequence[Series]) -> None:
        """Replace what the plot shows; the legend names each series with its marker."""
        import pyqtgraph as pg

        t = current_theme()
        self.item.clear()
        self.series = [s for s in series if s.points]
        for s in self.series:
            colour = getattr(t, s.colour_role)
            xs, ys = zip(*s.points, strict=True)
            self.item.plot(
                list(xs),
                list(ys),
                name=s.name,
                pen=pg.mkPen(colour, width=2, style=s.dash),
                symbol=s.symbol,
                symbolSize=9,
                symbolBrush=colour,
                symbolPen=pg.mkPen(colour),
            )
        self.legend.setText(
            "&nbsp;&nbsp;&nbsp;".join(
                f'<span style="color:{getattr(t, s.colour_role)}">'
                f"{_SYMBOL_GLYPH.get(s.symbol, '●')}</span>&nbsp;{html.escape(s.name)}"
                for s in self.series
            )
            or "No readings to plot."
        )


def paint_chart(
    series: Sequence[Series], x_label: str, width: int, height: int, point_size: float = 9.0
) -> QImage:
    """Black-on-white line chart for print: series are told apart by dash style and marker."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    plotted = [s for s in series if s.points]
    p = QPainter(image)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        # Sized for a chart printed across an A4 text column (~490 pt wide).
        font.setPixelSize(max(10, round(width / 490 * point_size)))
        p.setFont(font)
        fm = p.fontMetrics()
        black = QColor("black")
        if not plotted:
            p.setPen(black)
            p.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, "No readings")
            return image
        xs = [x for s in plotted for x, _ in s.points]
        ys = [y for s in plotted for _, y in s.points]
        x0, x1 = min(xs), max(xs)
        y0, y1 = min(ys), max(ys)
        x0, x1 = (x0 - 1, x1 + 1) if x0 == x1 else (x0, x1)
        pad = max(5.0, (y1 - y0) * 0.08)
        y0, y1 = max(0.0, y0 - pad), y1 + pad
        left = fm.horizontalAdvance("0000") + fm.height()
        legend_h = fm.height() * 2
        area = QRectF(
            left, legend_h, width - left - fm.height(), height - legend_h - fm.height() * 3
        )

        def to_px(x: float, y: float) -> QPointF:
            return QPointF(
                area.left() + (x - x0) / (x1 - x0) * area.width(),
                area.bottom() - (y - y0) / (y1 - y0) * area.height(),
            )

        grid = QPen(QColor("#bbbbbb"), 1)
        for i in range(6):
            y = y0 + (y1 - y0) * i / 5
            pt = to_px(x0, y)
            p.setPen(grid)
            p.drawLine(QPointF(area.left(), pt.y()), QPointF(area.right(), pt.y()))
            p.setPen(black)
            p.drawText(
                QRectF(0, pt.y() - fm.height() / 2, left - 6, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{y:.0f}",
            )
        step = _nice_step((x1 - x0) / 8)
        x = step * (x0 // step)
        while x <= x1:
            if x >= x0:
                pt = to_px(x, y0)
                p.setPen(grid)
                p.drawLine(QPointF(pt.x(), area.top()), QPointF(pt.x(), area.bottom()))
                p.setPen(black)
                p.drawText(
                    QRectF(pt.x() - 40, area.bottom() + 4, 80, fm.height()),
                    Qt.AlignmentFlag.AlignHCenter,
                    f"{x:.0f}",
                )
            x += step
        p.setPen(black)
        p.drawRect(area)
        p.drawText(
            QRectF(area.left(), height - fm.height() * 1.5, area.width(), fm.height() * 1.5),
            Qt.AlignmentFlag.AlignHCenter,
            x_label,
        )
        legend_x = area.left()
        for s in plotted:
            pen = QPen(black, max(2.0, height / 200), s.dash)
            p.setPen(pen)
            pts = [to_px(x, y) for x, y in s.points]
            for a, b in itertools.pairwise(pts):
                p.drawLine(a, b)
            for pt in pts:
                _marker(p, pt, s.symbol, fm.height() * 0.3)
            p.drawLine(QPointF(legend_x, legend_h / 2), QPointF(legend_x + 36, legend_h / 2))
            _marker(p, QPointF(legend_x + 18, legend_h / 2), s.symbol, fm.height() * 0.3)
            p.setPen(black)
            text_rect = QRectF(legend_x + 42, 0, fm.horizontalAdvance(s.name) + 8, legend_h)
            p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, s.name)
            legend_x = text_rect.right() + fm.height()
    finally:
        p.end()
    return image


def _marker(p: QPainter, at: QPointF, symbol: str, r: float) -> None:
    p.save()
    p.setPen(QPen(QColor("black"), 1.5))
    p.setBrush(QColor("white") if symbol in ("o", "t1") else QColor("black"))
    if symbol == "s":
        p.drawRect(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r))
    elif symbol in ("t", "t1"):
        sign = 1 if symbol == "t" else -1
        p.drawPolygon(
            QPolygonF(
                [
                    QPointF(at.x(), at.y() + sign * r),
                    QPointF(at.x() - r, at.y() - sign * r),
                    QPointF(at.x() + r, at.y() - sign * r),
                ]
            )
        )
    else:
        p.drawEllipse(at, r, r)
    p.restore()


def _nice_step(raw: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120):
        if raw <= step:
            return float(step)
    return 240.0
