"""A patient's course: outcome scores and pre/post ratings across sessions, and the sessions.

The two plots share the x axis "session in course"; series differ by marker and dash as well as
colour. pyqtgraph is imported when the first course is shown, not with the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from companion.export.summary import fmt_dt, scale_name
from companion.services.record_types import CoursePoint, PatientCourse
from companion.storage.models import INDICATION_LABELS
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import make_table, named
from ui.record_view import fit_columns
from ui.table_models import RowTableModel

if TYPE_CHECKING:
    from ui.plots import SeriesPlot

X_LABEL = "session in course"
_SCALE_STYLE = [("accent", "o"), ("abnormal", "t"), ("ok", "s")]


def _pair(before: int | None, after: int | None) -> str:
    if before is None and after is None:
        return "—"
    return f"{'—' if before is None else before} → {'—' if after is None else after}"


def _scores(p: CoursePoint) -> str:
    return ", ".join(f"{scale_name(k)} {v}" for k, v in sorted(p.scores.items())) or "—"


class CourseView(QWidget):
    """Signals: back_requested(); open_record(int) for a session chosen in the table."""

    back_requested = Signal()
    open_record = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("course_view")
        self._ctx = ctx
        self.course: PatientCourse | None = None
        self._scores_plot: SeriesPlot | None = None
        self._ratings_plot: SeriesPlot | None = None

        self.back_button = named(QPushButton("← Back to patients"), "course_back", "Back")
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel("")
        self.title.setObjectName("course_title")
        self.title.setProperty("role", "heading")
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("course_subtitle")
        self.subtitle.setProperty("role", "muted")
        self.treatments = QLabel("")
        self.treatments.setObjectName("course_treatments")
        self.treatments.setProperty("role", "banner")
        self.plots = QHBoxLayout()
        self.model: RowTableModel[CoursePoint] = RowTableModel(
            [
                ("Session", lambda p: f"#{p.number_in_course}"),
                ("Date", lambda p: fmt_dt(p.started_at)[:10]),
                ("Status", lambda p: p.status.value.replace("_", " ")),
                ("Outcome score (pre)", _scores),
                ("Mood before → after", lambda p: _pair(p.mood_pre, p.mood_post)),
                ("Anxiety before → after", lambda p: _pair(p.anxiety_pre, p.anxiety_post)),
            ]
        )
        self.view = make_table(self.model, "course_sessions", "Sessions in this course")
        fit_columns(self.view, stretch={3, 4, 5})
        self.view.activated.connect(self._open_selected)
        self.open_button = named(
            QPushButton("Open session record"), "course_open", "Open the selected session record"
        )
        self.open_button.clicked.connect(lambda: self._open_selected(self.view.currentIndex()))

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.open_button)
        head = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        head.addLayout(names, 1)
        head.addWidget(self.treatments, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(head)
        layout.addLayout(self.plots, 3)
        layout.addWidget(self.view, 2)

    def load(self, patient_id: int) -> bool:
        actor = self._ctx.require_actor()
        try:
            course = attempt(
                self,
                "open course",
                lambda: self._ctx.services.records.patient_course(actor, patient_id),
            )
        except ActionFailed:
            return False
        self.show_course(course)
        return True

    def show_course(self, course: PatientCourse) -> None:
        self.course = course
        p = course.patient
        self.title.setText(f"{p.full_name} — course of treatment")
        self.subtitle.setText(
            f"{p.chart_number} · born {p.date_of_birth.isoformat()} · "
            f"{INDICATION_LABELS[p.indication]}"
        )
        n = course.completed_treatments
        self.treatments.setText(
            f"{n} completed treatment{'s' if n != 1 else ''} of {len(course.points)} sessions"
        )
        self.model.set_rows(list(course.points))
        self._plot(course)

    def _plot(self, course: PatientCourse) -> None:
        from ui.plots import Series, SeriesPlot

        if self._scores_plot is None or self._ratings_plot is None:
            self._scores_plot = SeriesPlot(
                "course_scores_plot", "Outcome scores across sessions", X_LABEL, "total score"
            )
            self._ratings_plot = SeriesPlot(
                "course_ratings_plot", "Mood and anxiety before and after", X_LABEL, "rating 0–10"
            )
            self._ratings_plot.item.setYRange(0, 10)
            self.plots.addWidget(self._scores_plot, 1)
            self.plots.addWidget(self._ratings_plot, 1)
        scales = sorted({k for p in course.points for k in p.scores})
        self._scores_plot.set_series(
            [
                Series(
                    scale_name(scale),
                    tuple(
                        (float(p.number_in_course), float(p.scores[scale]))
                        for p in course.points
                        if scale in p.scores
                    ),
                    *_SCALE_STYLE[i % len(_SCALE_STYLE)],
                )
                for i, scale in enumerate(scales)
            ],
        )

        def series(name: str, attr: str, colour: str, symbol: str, dash: Qt.PenStyle) -> Series:
            pts = tuple(
                (float(p.number_in_course), float(getattr(p, attr)))
                for p in course.points
                if getattr(p, attr) is not None
            )
            return Series(name, pts, colour, symbol, dash)

        self._ratings_plot.set_series(
            [
                series("Mood before", "mood_pre", "accent", "o", Qt.PenStyle.DashLine),
                series("Mood after", "mood_post", "accent", "s", Qt.PenStyle.SolidLine),
                series("Anxiety before", "anxiety_pre", "abnormal", "t", Qt.PenStyle.DashLine),
                series("Anxiety after", "anxiety_post", "abnormal", "t1", Qt.PenStyle.SolidLine),
            ],
        )

    def _open_selected(self, index: Any) -> None:
        point = self.model.row_at(index.row()) if index.isValid() else None
        if point is not None:
            self.open_record.emit(point.session_id)
