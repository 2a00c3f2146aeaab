"""The live monitoring plot: BP, pulse and SpO2 against minutes since T0.

Three stacked plots sharing the time axis, because each vital has its own alert bands and a single
axis would lay the SpO2 band over the BP curves. Alert bands come from the protocol thresholds,
the baseline is a dashed line, and the dose, top-ups and observations are vertical markers.

pyqtgraph costs ~0.65 s to import, so it is imported in `build()`, when the page first has a T0 —
never at module import. Curves are created once and updated with `setData`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from companion.clinical.alerts import AlertThresholds
from companion.services.monitoring import MonitoringState, minutes_since
from ui.theme import Theme, current_theme

AXIS_POINT_SIZE = 12
BAND_ALPHA = 38  # of 255: a tint that reads as "zone", not as data
MIN_SPAN_MIN = 65.0  # show the whole planned hour from the start


@dataclass(frozen=True)
class _SeriesDef:
    key: str  # VitalsValues attribute
    name: str
    plot: str  # "bp", "pulse" or "spo2"
    colour_role: str  # Theme attribute, as in ui/plots.py so history and live plots agree
    symbol: str
    dash: Qt.PenStyle


SERIES = (
    _SeriesDef("systolic", "Systolic", "bp", "alarming", "t", Qt.PenStyle.SolidLine),
    _SeriesDef("diastolic", "Diastolic", "bp", "abnormal", "t1", Qt.PenStyle.DashLine),
    _SeriesDef("pulse", "Pulse", "pulse", "accent", "o", Qt.PenStyle.SolidLine),
    _SeriesDef("spo2", "SpO₂ %", "spo2", "ok", "s", Qt.PenStyle.SolidLine),
)
_UNITS = {"systolic": "mmHg", "diastolic": "mmHg", "pulse": "/min", "spo2": ""}
_MARKS = {"t": "▼", "t1": "▲", "o": "●", "s": "■"}
_STRETCH = {"bp": 6, "pulse": 3, "spo2": 2}  # BP carries the alert rules: give it room


def _tint(colour: str) -> QColor:
    c = QColor(colour)
    c.setAlpha(BAND_ALPHA)
    return c


class MonitoringPlot(QWidget):
    """Call `build(thresholds)` once, then `show_state(state)` after every change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monitoring_plot")
        self.setAccessibleName("Vital signs plot since injection")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("The plot starts with the dose (T0).")
        self.placeholder.setProperty("role", "muted")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.placeholder)
        # One legend line above the plots: inside them it would cover the newest readings.
        self.legend = QLabel("")
        self.legend.setObjectName("monitoring_plot_legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.hide()
        self._layout.addWidget(self.legend)
        self.graphics: Any = None
        self.plots: dict[str, Any] = {}
        self.curves: dict[str, Any] = {}
        self.baselines: dict[str, Any] = {}
        self._markers: list[tuple[Any, Any]] = []
        self._marker_key: tuple[tuple[float, str], ...] = ()
        self._thresholds: AlertThresholds | None = None

    @property
    def built(self) -> bool:
        return self.graphics is not None

    def build(self, thresholds: AlertThresholds) -> None:
        if self.built:
            return
        import pyqtgraph as pg

        t = current_theme()
        self._thresholds = thresholds
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("monitoring_plot_view")
        self.graphics.setBackground(t.base)
        self.graphics.setMinimumHeight(230)
        font = QFont(self.font())
        font.setPointSize(AXIS_POINT_SIZE)
        first = None
        for row, name in enumerate(("bp", "pulse", "spo2")):
            plot = self.graphics.addPlot(row=row, col=0)
            self.graphics.ci.layout.setRowStretchFactor(row, _STRETCH[name])
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.15)
            for side in ("left", "bottom"):
                axis = plot.getAxis(side)
                axis.setPen(pg.mkPen(t.muted))
                axis.setTextPen(pg.mkPen(t.text))
                axis.setTickFont(font)
            plot.getAxis("left").setWidth(48)
            if name == "spo2":
                plot.setLabel(
                    "bottom",
                    "minutes since injection (T0)",
                    color=t.muted,
                    size=f"{AXIS_POINT_SIZE}pt",
                )
            else:
                plot.getAxis("bottom").setStyle(showValues=False)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.plots[name] = plot
        self._add_bands(pg, t, thresholds)
        for s in SERIES:
            colour = getattr(t, s.colour_role)
            self.curves[s.key] = self.plots[s.plot].plot(
                [],
                [],
                name=s.name,
                pen=pg.mkPen(colour, width=2.5, style=s.dash),
                symbol=s.symbol,
                symbolSize=10,
                symbolBrush=colour,
                symbolPen=pg.mkPen(colour),
            )
            line = pg.InfiniteLine(
                angle=0,
                movable=False,
                pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine),
                label="baseline {value:.0f}",
                labelOpts={"position": 0.99, "color": t.muted, "anchors": [(1, 1), (1, 1)]},
            )
            line.setVisible(False)
            self.plots[s.plot].addItem(line, ignoreBounds=True)
            self.baselines[s.key] = line
        self.legend.setText(_legend(t))
        self.legend.show()
        self.placeholder.hide()
        self._layout.addWidget(self.graphics, 1)

    def _add_bands(self, pg: Any, t: Theme, th: AlertThresholds) -> None:
        def band(plot: str, low: float, high: float) -> None:
            region = pg.LinearRegionItem(
                values=(low, high),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(_tint(t.alarming)),
                pen=pg.mkPen(None),
            )
            region.setZValue(-10)
            self.plots[plot].addItem(region, ignoreBounds=True)

        band("bp", th.urgent_systolic, 320)
        band("pulse", th.pulse_above, 260)
        band("pulse", 0, th.pulse_below)
        band("spo2", 0, th.spo2_below)
        dia = pg.InfiniteLine(
            pos=th.urgent_diastolic,
            angle=0,
            movable=False,
            pen=pg.mkPen(t.alarming, width=1, style=Qt.PenStyle.DashLine),
            label=f"diastolic ≥ {th.urgent_diastolic}",
            labelOpts={"position": 0.05, "color": t.alarming, "anchors": [(0, 1), (0, 1)]},
        )
        self.plots["bp"].addItem(dia, ignoreBounds=True)

    def show_state(self, state: MonitoringState) -> None:
        if not self.built or state.t0 is None:
            return
        t0 = state.t0
        last = 0.0
        for s in SERIES:
            points = [
                (minutes_since(t0, r.measured_at), float(v))
                for r in state.readings
                if (v := r.values.get(s.key)) is not None
            ]
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            self.curves[s.key].setData(xs, ys)
            if xs:
                last = max(last, xs[-1])
            base = state.baseline.values.get(s.key) if state.baseline is not None else None
            self.baselines[s.key].setVisible(base is not None)
            if base is not None:
                self.baselines[s.key].setPos(float(base))
        self._show_markers(state)
        self.plots["bp"].setXRange(-2, max(MIN_SPAN_MIN, last + 5), padding=0)
        self._fit_y(state)

    def _fit_y(self, state: MonitoringState) -> None:
        th = self._thresholds
        assert th is not None

        def values(key: str) -> list[float]:
            out = [float(v) for r in state.readings if (v := r.values.get(key)) is not None]
            base = state.baseline.values.get(key) if state.baseline is not None else None
            return out + ([float(base)] if base is not None else [])

        bp = values("systolic") + values("diastolic")
        # Room under the curves for the observation labels.
        self.plots["bp"].setYRange(
            min([30.0, *bp]) - 25, max([th.urgent_systolic + 20.0, *bp]) + 5, padding=0
        )
        pulse = values("pulse")
        self.plots["pulse"].setYRange(
            min([th.pulse_below - 15.0, *pulse]) - 5,
            max([th.pulse_above + 15.0, *pulse]) + 5,
            padding=0,
        )
        spo2 = values("spo2")
        self.plots["spo2"].setYRange(min([th.spo2_below - 6.0, *spo2]) - 1, 101, padding=0)

    def _show_markers(self, state: MonitoringState) -> None:
        import pyqtgraph as pg

        assert state.t0 is not None
        marks = [
            (
                minutes_since(state.t0, d.administered_at),
                "Dose" if d.kind == "initial" else f"Top-up {d.dose_mg:g} mg",
            )
            for d in state.doses
        ] + [
            (o.minutes_since_t0 or 0.0, ("⚠ " if o.adverse_event else "") + _short(o.label))
            for o in state.observations
            if o.minutes_since_t0 is not None
        ]
        key = tuple(marks)
        if key == self._marker_key:
            return
        self._marker_key = key
        for plot, item in self._markers:
            plot.removeItem(item)
        self._markers = []
        t = current_theme()
        for i, (x, label) in enumerate(marks):
            dose = i < len(state.doses)
            pen = pg.mkPen(
                t.accent if dose else t.muted,
                width=2 if dose else 1,
                style=Qt.PenStyle.SolidLine if dose else Qt.PenStyle.DotLine,
            )
            for name, plot in self.plots.items():
                line = pg.InfiniteLine(
                    pos=x,
                    angle=90,
                    movable=False,
                    pen=pen,
                    label=label if name == "bp" else None,
                    labelOpts={
                        # Dose labels along the top; observation labels low down, staggered,
                        # where BP curves never are.
                        "position": 0.95 if dose else 0.05 + 0.1 * (i % 3),
                        "color": t.accent if dose else t.text,
                        "anchors": [(0, 0.5), (0, 0.5)],
                    },
                )
                line.setZValue(-5)
                plot.addItem(line, ignoreBounds=True)
                self._markers.append((plot, line))

    def series_data(self, key: str) -> tuple[list[float], list[float]]:
        """The plotted (minutes, values) of one series (for tests and accessibility)."""
        xs, ys = self.curves[key].getData()
        if xs is None or ys is None:
            return [], []
        return [float(x) for x in xs], [float(y) for y in ys]


def _legend(t: Theme) -> str:
    parts = [
        f'<span style="color:{getattr(t, s.colour_role)}">{_MARKS[s.symbol]} {s.name}</span>'
        f'<span style="color:{t.muted}"> {_UNITS[s.key]}</span>'
        for s in SERIES
    ]
    zone = f'<span style="color:{t.alarming}">▒ alert zone</span>'
    base = f'<span style="color:{t.muted}">┈ baseline</span>'
    return "&nbsp;&nbsp;&nbsp;".join([*parts, zone, base])


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
