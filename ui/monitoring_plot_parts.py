"""Pieces of the live monitoring plot that need no widget: the series, the legend, the axis
ranges, the markers, and the axis type (pyqtgraph is passed in: it is imported only when the
plot is built)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from companion.clinical.alerts import AlertThresholds
from companion.services.monitoring import MonitoringState, minutes_since
from ui.theme import Theme

BAND_ALPHA = 38  # of 255: a tint that reads as "zone", not as data
MIN_SPAN_MIN = 65.0  # show the whole planned hour from the start
X_STEP_MIN = 15.0  # the time axis grows in steps, not with every reading (each change redraws it)


@dataclass(frozen=True)
class SeriesDef:
    key: str  # VitalsValues attribute
    name: str
    plot: str  # "bp", "pulse" or "spo2"
    colour_role: str  # Theme attribute, as in ui/plots.py so history and live plots agree
    symbol: str
    dash: Qt.PenStyle


SERIES = (
    SeriesDef("systolic", "Systolic", "bp", "alarming", "t", Qt.PenStyle.SolidLine),
    SeriesDef("diastolic", "Diastolic", "bp", "abnormal", "t1", Qt.PenStyle.DashLine),
    SeriesDef("pulse", "Pulse", "pulse", "accent", "o", Qt.PenStyle.SolidLine),
    SeriesDef("spo2", "SpO₂ %", "spo2", "ok", "s", Qt.PenStyle.SolidLine),
)
UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "pulse": "/min", "spo2": ""}
MARKS = {"t": "▼", "t1": "▲", "o": "●", "s": "■"}
STRETCH = {"bp": 6, "pulse": 3, "spo2": 2}  # BP carries the alert rules: give it room


def tint(colour: str) -> QColor:
    c = QColor(colour)
    c.setAlpha(BAND_ALPHA)
    return c


def x_end(last: float) -> float:
    """The right end of the time axis: the planned hour, then whole steps past the newest point."""
    return max(MIN_SPAN_MIN, math.ceil((last + 5) / X_STEP_MIN) * X_STEP_MIN)


def y_ranges(state: MonitoringState, th: AlertThresholds) -> tuple[tuple[float, float], ...]:
    """(low, high) of the BP, pulse and SpO2 plots: the alert zones and every value in view."""

    def values(key: str) -> list[float]:
        out = [float(v) for r in state.readings if (v := r.values.get(key)) is not None]
        base = state.baseline.values.get(key) if state.baseline is not None else None
        return out + ([float(base)] if base is not None else [])

    bp = values("systolic") + values("diastolic")
    pulse = values("pulse")
    spo2 = values("spo2")
    return (
        # Room under the curves for the observation labels.
        (min([30.0, *bp]) - 25, max([th.urgent_systolic + 20.0, *bp]) + 5),
        (min([th.pulse_below - 15.0, *pulse]) - 5, max([th.pulse_above + 15.0, *pulse]) + 5),
        (min([th.spo2_below - 6.0, *spo2]) - 1, 101.0),
    )


def markers(state: MonitoringState) -> list[tuple[float, str]]:
    """(minutes since T0, label) of the doses first, then the observations."""
    assert state.t0 is not None
    return [
        (
            minutes_since(state.t0, d.administered_at),
            "Dose" if d.kind == "initial" else f"Top-up {d.dose_mg:g} mg",
        )
        for d in state.doses
    ] + [
        (o.minutes_since_t0 or 0.0, ("⚠ " if o.adverse_event else "") + short(o.label))
        for o in state.observations
        if o.minutes_since_t0 is not None
    ]


def legend(t: Theme) -> str:
    parts = [
        f'<span style="color:{getattr(t, s.colour_role)}">{MARKS[s.symbol]} {s.name}</span>'
        f'<span style="color:{t.muted}"> {UNITS[s.key]}</span>'
        for s in SERIES
    ]
    zone = f'<span style="color:{t.alarming}">▒ alert zone</span>'
    base = f'<span style="color:{t.muted}">┈ baseline</span>'
    return "&nbsp;&nbsp;&nbsp;".join([*parts, zone, base])


def short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_AXIS_TYPE: list[type] = []


def axis_type(pg: Any) -> type:
    """pyqtgraph's AxisItem painted straight into its item cache (the stock one records a
    QPicture and replays it: twice the work when the cache keeps the pixmap anyway), its faint
    grid lines filled as 1-pixel rectangles: Qt's raster engine blends a translucent line ~3x
    slower than a rectangle, and the grid lines were half of the plot's first paint."""
    if not _AXIS_TYPE:

        class CachedAxis(pg.AxisItem):  # type: ignore[misc]
            def paint(self, p: Any, opt: Any, widget: Any) -> None:
                if self.style["tickFont"]:
                    p.setFont(self.style["tickFont"])
                specs = self.generateDrawSpecs(p)
                if specs is None:
                    return
                axis, ticks, texts = specs
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                lines = []
                for pen, a, b in ticks:
                    if pen.color().alpha() < 255 and (a.x() == b.x() or a.y() == b.y()):
                        x, y = min(a.x(), b.x()), min(a.y(), b.y())
                        w, h = max(abs(b.x() - a.x()), 1.0), max(abs(b.y() - a.y()), 1.0)
                        p.fillRect(QRectF(x, y, w, h), pen.color())
                    else:
                        lines.append((pen, a, b))
                self.drawPicture(p, axis, lines, texts)

        _AXIS_TYPE.append(CachedAxis)
    return _AXIS_TYPE[0]
