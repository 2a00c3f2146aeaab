"""The live monitoring plot: BP, pulse and SpO2 against minutes since T0.

Three stacked plots sharing the time axis, because each vital has its own alert bands and a single
axis would lay the SpO2 band over the BP curves. Alert bands come from the protocol thresholds,
the baseline is a dashed line, and the dose, top-ups and observations are vertical markers.

pyqtgraph costs ~0.5 s to import and the plots ~40 ms to build: the page preloads pyqtgraph on
a background thread when the session opens, and the session screen's clock tick builds the plot a
piece at a time (`prepare_step`, a few ms each) during check-in and centering, so the dose waits
for neither; `build()` does what is left at once (a session opened already dosed). Never imported
at module level. A new state is drawn on the event loop's next pass (`show_state`, `flush`), only
the curves that changed (`setData`); the time axis grows in steps; the axes are cached as pixmaps,
since with the grid each one covers its whole plot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from companion.clinical.alerts import AlertThresholds
from companion.services.monitoring import MonitoringState, minutes_since
from ui.monitoring_plot_parts import (
    SERIES,
    STRETCH,
    axis_type,
    legend,
    markers,
    tint,
    x_end,
    y_ranges,
)
from ui.theme import Theme, current_theme

AXIS_POINT_SIZE = 12
GRID_ALPHA = 38  # of 255, as pyqtgraph's showGrid(alpha=0.15)
_Marker = tuple[float, str, bool, float]  # minutes, label, is a dose, label position


class MonitoringPlot(QWidget):
    """`prepare_step(thresholds)` ahead of time or `build(thresholds)` once, then
    `show_state(state)` after every change; the plot appears with the first state that has a T0
    (on the event loop's next pass)."""

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
        self._marker_lines: dict[_Marker, list[tuple[Any, Any]]] = {}
        self._marker_key: tuple[_Marker, ...] = ()
        self._points: dict[str, tuple[tuple[float, float], ...]] = {}
        self._ranges: tuple[tuple[float, float], ...] = ()
        self._thresholds: AlertThresholds | None = None
        self._steps: Iterator[None] | None = None
        self._built = False
        self._pending: MonitoringState | None = None
        self._last: MonitoringState | None = None  # drawn, or prefitted before the dose
        self._theme: Theme | None = None
        # A timer, not a queued call: queued calls run before the repaint and the other timers
        # that are due, and would make one stall of the entry and the plot again.
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.flush)

    @property
    def built(self) -> bool:
        return self._built

    @property
    def up_to_date(self) -> bool:
        """No state is waiting to be drawn."""
        return self._pending is None

    def prepare_step(self, thresholds: AlertThresholds) -> bool:
        """Build the next piece of the plot; True while pieces remain. Imports pyqtgraph if it is
        not imported yet, so call it once the background preload is done."""
        if self._built:
            return False
        if self._steps is None:
            self._steps = self._build_steps(thresholds)
        next(self._steps, None)  # the last piece sets `_built`
        return not self._built

    def build(self, thresholds: AlertThresholds) -> None:
        while self.prepare_step(thresholds):
            pass

    def _build_steps(self, thresholds: AlertThresholds) -> Iterator[None]:
        import pyqtgraph as pg

        t = self._theme = current_theme()
        self._thresholds = thresholds
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setObjectName("monitoring_plot_view")
        self.graphics.setBackground(t.base)
        self.graphics.setMinimumHeight(230)
        self.graphics.hide()  # until there is a T0 to plot against
        self._layout.addWidget(self.graphics, 1)
        yield
        font = QFont(self.font())
        font.setPointSize(AXIS_POINT_SIZE)
        for row, name in enumerate(("bp", "pulse", "spo2")):
            self.plots[name] = self._panel(pg, t, font, name)
            self.graphics.ci.layout.setRowStretchFactor(row, STRETCH[name])
            if name != "bp":
                self.plots[name].setXLink(self.plots["bp"])
            yield
        self._add_bands(pg, t, thresholds)
        yield
        for s in SERIES:
            colour = getattr(t, s.colour_role)
            self.curves[s.key] = pg.PlotDataItem(
                [],
                [],
                pen=pg.mkPen(colour, width=2.5, style=s.dash),
                symbol=s.symbol,
                symbolSize=10,
                symbolBrush=colour,
                symbolPen=pg.mkPen(colour),
            )
            self.plots[s.plot].addItem(self.curves[s.key])
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
            if s is not SERIES[-1]:
                yield
        self.legend.setText(legend(t))
        self._built = True

    def _panel(self, pg: Any, t: Theme, font: QFont, name: str) -> Any:
        """One plot: a ViewBox with its left and bottom axes, laid out as pyqtgraph's PlotItem
        does; not a PlotItem, which also builds an options form per plot (half its build time)."""
        row = ("bp", "pulse", "spo2").index(name)
        view = pg.ViewBox(enableMouse=False, enableMenu=False)
        view.disableAutoRange()  # the ranges are set from the data: no bounds walk per change
        cell = self.graphics.ci.addLayout(row=row, col=0)
        cell.setContentsMargins(1, 1, 1, 1)
        cell.setSpacing(0)
        for side, at in (("left", (0, 0)), ("bottom", (1, 1))):
            axis = axis_type(pg)(side, pen=pg.mkPen(t.muted), textPen=pg.mkPen(t.text))
            axis.setTickFont(font)
            axis.setGrid(GRID_ALPHA)
            # Major and minor ticks only: the finest level added faint grid lines no one reads,
            # and each grid line spans the plot (half the cost of the plot's first paint).
            axis.setStyle(maxTickLevel=1)
            axis.linkToView(view)
            axis.setZValue(0.5)  # the grid over the alert bands, as in a PlotItem
            # With the grid each axis covers its whole plot: cached, a new reading does not
            # re-render every axis.
            axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            cell.addItem(axis, *at)
            if side == "left":
                axis.setWidth(48)
            elif name == "spo2":
                axis.setLabel(
                    "minutes since injection (T0)", color=t.muted, size=f"{AXIS_POINT_SIZE}pt"
                )
            else:
                axis.setStyle(showValues=False)
        cell.addItem(view, 0, 1)
        cell.layout.setColumnStretchFactor(1, 100)
        cell.layout.setRowStretchFactor(0, 100)
        return view

    def _add_bands(self, pg: Any, t: Theme, th: AlertThresholds) -> None:
        def band(plot: str, low: float, high: float) -> None:
            region = pg.LinearRegionItem(
                values=(low, high),
                orientation="horizontal",
                movable=False,
                brush=pg.mkBrush(tint(t.alarming)),
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
        """Plot `state` on the next pass of the event loop (the newest of several wins): the
        entry that changed it is answered first and the plot drawn a frame later, rather than
        one long stall for both. `flush()` plots it now."""
        if not self._built:
            return
        if state.t0 is None:  # never leave another session's curves on screen
            self._pending, self._last = None, state
            self._later.stop()
            self.graphics.hide()
            self.legend.hide()
            self.placeholder.show()
            return
        self.placeholder.hide()  # the plot replaces it on the next pass
        self._pending = state
        if self.isVisible():
            self._later.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending is not None or self._theme_changed():
            self._later.start()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # A theme switch restyles the app; its name is set just after, so look on the next pass.
        if event.type() == QEvent.Type.StyleChange and self._built and self.isVisible():
            self._later.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._later.stop()  # a hidden plot is drawn when it is shown again
        super().hideEvent(event)

    def flush(self) -> None:
        """Plot the pending state now. Unchanged series, markers and ranges are left alone, so a
        new reading redraws little more than its own curves."""
        self._later.stop()
        if self._theme_changed():
            self._rebuild()
        state, self._pending = self._pending, None
        if state is None or state.t0 is None:
            return
        self._last = state
        t0 = state.t0
        last = 0.0
        for s in SERIES:
            points = tuple(
                (minutes_since(t0, r.measured_at), float(v))
                for r in state.readings
                if (v := r.values.get(s.key)) is not None
            )
            if points != self._points.get(s.key):
                self._points[s.key] = points
                self.curves[s.key].setData([p[0] for p in points], [p[1] for p in points])
            if points:
                last = max(last, points[-1][0])
        self._show_baselines(state)
        self._show_markers(state)
        self._fit(state, last)
        if self.graphics.isHidden():
            self.legend.show()
            self.graphics.show()

    def prefit(self, state: MonitoringState) -> None:
        """Before the dose: set what the stored state already fixes (the baseline lines, the
        ranges with no reading yet), so the dose itself has less to draw."""
        if self._built and state.t0 is None:
            self._last = state
            self._show_baselines(state)
            self._fit(state, 0.0)
            self._place_markers([(0.0, "Dose", True, 0.95)])  # the dose is T0, at x = 0

    def _theme_changed(self) -> bool:
        return self._built and current_theme() != self._theme

    def _rebuild(self) -> None:
        """The theme changed: the plot again in the new colours, with what it showed."""
        assert self._thresholds is not None
        self._layout.removeWidget(self.graphics)
        self.graphics.deleteLater()
        self.graphics, self.plots, self.curves, self.baselines = None, {}, {}, {}
        self._marker_lines, self._marker_key, self._points, self._ranges = {}, (), {}, ()
        self._steps, self._built = None, False
        self.build(self._thresholds)
        last = self._last
        if last is not None and last.t0 is None:
            self.prefit(last)
        elif self._pending is None:
            self._pending = last

    def _show_baselines(self, state: MonitoringState) -> None:
        for s in SERIES:
            base = state.baseline.values.get(s.key) if state.baseline is not None else None
            self.baselines[s.key].setVisible(base is not None)
            if base is not None:
                self.baselines[s.key].setPos(float(base))

    def _fit(self, state: MonitoringState, last: float) -> None:
        """The time axis to the newest point (in steps), each value axis to its values."""
        assert self._thresholds is not None
        ranges = ((-2.0, x_end(last)), *y_ranges(state, self._thresholds))
        if ranges != self._ranges:
            self._ranges = ranges
            self.plots["bp"].setXRange(*ranges[0], padding=0)
            for name, (low, high) in zip(("bp", "pulse", "spo2"), ranges[1:], strict=True):
                self.plots[name].setYRange(low, high, padding=0)

    def _show_markers(self, state: MonitoringState) -> None:
        """Vertical lines for the doses and observations; lines whose marker is unchanged are
        kept (the initial dose's was made ahead, see `prefit`)."""
        specs: list[_Marker] = []
        for i, (x, label) in enumerate(markers(state)):
            dose = i < len(state.doses)
            # Dose labels along the top; observation labels low down, staggered, where BP
            # curves never are.
            specs.append((x, label, dose, 0.95 if dose else 0.05 + 0.1 * (i % 3)))
        self._place_markers(specs)

    def _place_markers(self, specs: list[_Marker]) -> None:
        import pyqtgraph as pg

        if tuple(specs) == self._marker_key:
            return
        self._marker_key = tuple(specs)
        old, self._marker_lines = self._marker_lines, {}
        for spec in specs:
            if spec not in self._marker_lines:
                kept = old.pop(spec, None)
                self._marker_lines[spec] = kept if kept is not None else self._marker(pg, spec)
        for lines in old.values():
            for plot, line in lines:
                plot.removeItem(line)

    def _marker(self, pg: Any, spec: _Marker) -> list[tuple[Any, Any]]:
        x, label, dose, position = spec
        t = current_theme()
        pen = pg.mkPen(
            t.accent if dose else t.muted,
            width=2 if dose else 1,
            style=Qt.PenStyle.SolidLine if dose else Qt.PenStyle.DotLine,
        )
        lines = []
        for name, plot in self.plots.items():
            line = pg.InfiniteLine(
                pos=x,
                angle=90,
                movable=False,
                pen=pen,
                label=label if name == "bp" else None,
                labelOpts={
                    "position": position,
                    "color": t.accent if dose else t.text,
                    "anchors": [(0, 0.5), (0, 0.5)],
                },
            )
            line.setZValue(-5)
            plot.addItem(line, ignoreBounds=True)
            lines.append((plot, line))
        return lines

    def series_data(self, key: str) -> tuple[list[float], list[float]]:
        """The plotted (minutes, values) of one series, a pending update included (for tests
        and accessibility)."""
        self.flush()
        xs, ys = self.curves[key].getData()
        if xs is None or ys is None:
            return [], []
        return [float(x) for x in xs], [float(y) for y in ys]
