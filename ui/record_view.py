"""A past session's record, read-only, with Print… and PDF/CSV/FHIR export.

Tabs: Overview (check-in and checklist, scales, centering, dose, discharge), Vitals (plot and
table), Timeline (with minutes since T0) and Note (with signature and addenda). Exports are read
and audited on the GUI thread (a few ms), then rendered and written by a QThreadPool worker that
posts its result back by signal, so a slow disk never freezes the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QThreadPool, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.export.summary import (
    VITALS_HEADERS,
    alert_text,
    checklist,
    discharge_lines,
    dose_lines,
    fmt_dt,
    fmt_minutes,
    fmt_time,
    note_sections,
    scale_name,
    text_or_dash,
    timeline,
    vitals_row,
)
from companion.services.record_types import SessionRecord
from companion.storage.models import INDICATION_LABELS
from ui.actions import ActionFailed, attempt
from ui.context import AppContext
from ui.forms import make_table, named
from ui.pdf_export import ExportJob, print_record
from ui.table_models import RowTableModel

if TYPE_CHECKING:
    from ui.plots import SeriesPlot

FILE_FILTERS = {
    "pdf": "PDF document (*.pdf)",
    "csv": "CSV spreadsheet (*.csv)",
    "fhir": "FHIR R4B JSON bundle (*.json)",
}
SUFFIX = {"pdf": ".pdf", "csv": ".csv", "fhir": ".json"}


def _value_label(text: str, object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


def _group(title: str, rows: list[tuple[str, str]], object_name: str) -> QGroupBox:
    box = QGroupBox(title)
    box.setObjectName(object_name)
    form = QFormLayout(box)
    # Never shorter than its content: word-wrapped labels under-report their minimum height,
    # and inside a scroll area the boxes would otherwise be squeezed until the rows overlap.
    box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    for label, value in rows:
        caption = QLabel(label)
        caption.setProperty("role", "muted")
        form.addRow(caption, _value_label(value))
    return box


class RecordView(QWidget):
    """Signals: back_requested(); export_done(str message) after an export ends either way."""

    back_requested = Signal()
    export_done = Signal(str)

    def __init__(
        self, ctx: AppContext, pool: QThreadPool | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("record_view")
        self._ctx = ctx
        self._pool = pool or QThreadPool.globalInstance()
        self._jobs: set[ExportJob] = set()
        self.record: SessionRecord | None = None
        self._plot: SeriesPlot | None = None
        # Replaced in tests: modal dialogs would block them.
        self.choose_path: Callable[[str, str], str] = self._ask_path

        self.back_button = named(QPushButton("← Back to list"), "record_back", "Back to list")
        self.back_button.clicked.connect(self.back_requested)
        self.title = QLabel("")
        self.title.setObjectName("record_title")
        self.title.setProperty("role", "heading")
        self.subtitle = _value_label("", "record_subtitle")
        self.subtitle.setProperty("role", "muted")
        self.print_button = named(QPushButton("Print…"), "record_print", "Print this record")
        self.print_button.clicked.connect(self.print_record)
        self.export_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.print_button)
        for fmt, label in (("pdf", "PDF"), ("csv", "CSV"), ("fhir", "FHIR")):
            button = named(
                QPushButton(f"Export {label}…"), f"record_export_{fmt}", f"Export as {label}"
            )
            button.clicked.connect(lambda _c=False, f=fmt: self.export(f))
            self.export_buttons[fmt] = button
            top.addWidget(button)
        self.status = _value_label("", "record_status")
        self.status.setProperty("role", "muted")

        self.tabs = QTabWidget()
        self.tabs.setObjectName("record_tabs")
        self.tabs.setAccessibleName("Record sections")
        self.overview = QWidget()
        # Two columns of group boxes, each topped up with a stretch so boxes keep their height.
        columns = QHBoxLayout(self.overview)
        self.overview_columns = (QVBoxLayout(), QVBoxLayout())
        for column in self.overview_columns:
            columns.addLayout(column, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.overview)
        self.tabs.addTab(scroll, "Overview")

        vitals_page = QWidget()
        self.vitals_layout = QVBoxLayout(vitals_page)
        self.vitals_model: RowTableModel[list[str]] = RowTableModel(
            [(h, _cell(i)) for i, h in enumerate(VITALS_HEADERS)]
        )
        self.vitals_view = make_table(self.vitals_model, "record_vitals", "Vitals readings")
        fit_columns(self.vitals_view, stretch={2, 10})
        self.vitals_layout.addWidget(self.vitals_view, 1)
        self.tabs.addTab(vitals_page, "Vitals")

        self.timeline_model: RowTableModel[list[str]] = RowTableModel(
            [("Time", lambda r: r[0]), ("Since T0", lambda r: r[1]), ("Event", lambda r: r[2])]
        )
        self.timeline_view = make_table(self.timeline_model, "record_timeline", "Timeline")
        fit_columns(self.timeline_view, stretch={2})
        self.tabs.addTab(self.timeline_view, "Timeline")

        self.note_widget = QWidget()
        self.note_layout = QVBoxLayout(self.note_widget)
        self.note_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        note_scroll = QScrollArea()
        note_scroll.setWidgetResizable(True)
        note_scroll.setWidget(self.note_widget)
        self.tabs.addTab(note_scroll, "Note")
        self.tabs.currentChanged.connect(self._ensure_plot)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)

    # ---- loading ----------------------------------------------------------------------------

    def load(self, session_id: int) -> bool:
        """Read (and audit) the record and show it; False when the user was told why not."""
        actor = self._ctx.require_actor()
        try:
            record = attempt(
                self,
                "open record",
                lambda: self._ctx.services.records.session_record(actor, session_id),
            )
        except ActionFailed:
            return False
        self.show_record(record)
        return True

    def show_record(self, record: SessionRecord) -> None:
        self.record = record
        p = record.patient
        self.title.setText(
            f"{p.full_name} — session {record.number_in_course}, {fmt_dt(record.started_at)[:10]}"
        )
        self.subtitle.setText(
            f"{p.chart_number} · born {p.date_of_birth.isoformat()} · "
            f"{INDICATION_LABELS[p.indication]} · {record.status.value.replace('_', ' ')} · "
            f"guide {record.guide or '—'} · physician {record.physician or '—'} · "
            f"T0 {fmt_time(record.t0)} · discharged {fmt_time(record.discharged_at)}"
        )
        self.status.setText("")
        self._fill_overview(record)
        self.vitals_model.set_rows([vitals_row(v, record) for v in record.vitals])
        self.timeline_model.set_rows(
            [[fmt_time(e.at), fmt_minutes(e.minutes), e.text] for e in timeline(record)]
        )
        self._fill_note(record)
        self._plot_vitals()

    def _fill_overview(self, record: SessionRecord) -> None:
        for column in self.overview_columns:
            _clear(column)
        boxes: list[QGroupBox] = []
        if record.check_in is not None:
            ci = record.check_in
            boxes.append(
                _group(
                    "Check-in and checklist",
                    [("Intention", text_or_dash(ci.intention)), *checklist(ci)],
                    "record_checkin",
                )
            )
        if record.scales:
            boxes.append(
                _group(
                    "Scales",
                    [
                        (f"{scale_name(s.scale)} ({s.context})", f"{s.total} {s.band}".strip())
                        for s in record.scales
                    ],
                    "record_scales",
                )
            )
        for c in record.centering:
            boxes.append(
                _group(
                    "Centering",
                    [
                        ("Mode and script", f"{c.mode} · {c.script_id or '—'}"),
                        (
                            "Length",
                            f"{(c.actual_s or 0) / 60:.0f} of {(c.planned_s or 0) / 60:.0f} min",
                        ),
                        (
                            "Pauses / ended early",
                            f"{c.pauses} / {'yes' if c.ended_early else 'no'}",
                        ),
                        ("Guide", text_or_dash(c.guide)),
                    ],
                    "record_centering",
                )
            )
        for d in record.doses:
            boxes.append(_group(f"Dose ({d.kind})", dose_lines(d, record), "record_dose"))
        if record.alerts:
            boxes.append(
                _group(
                    "Alerts",
                    [
                        (f"{fmt_time(a.raised_at)} {a.severity}", alert_text(a))
                        for a in record.alerts
                    ],
                    "record_alerts",
                )
            )
        if record.discharge is not None:
            boxes.append(_group("Discharge", discharge_lines(record.discharge), "record_discharge"))
        if not boxes:
            boxes.append(
                _group("Record", [("", "Nothing was recorded in this session.")], "record_empty")
            )
        # The checklist (the longest) on the left, the rest stacked on the right.
        left, right = self.overview_columns
        left.addWidget(boxes[0])
        for box in boxes[1:]:
            right.addWidget(box)
        for column in self.overview_columns:
            column.addStretch(1)

    def _fill_note(self, record: SessionRecord) -> None:
        _clear(self.note_layout)
        note = record.note
        if note is None:
            self.note_layout.addWidget(
                _value_label("No note has been written.", "record_note_state")
            )
            return
        state = (
            f"Signed by {note.signed_by or '?'} on {fmt_dt(note.signed_at)} · guide {note.guide or '—'}"
            if note.signed_at
            else "Draft — not signed yet"
        )
        state_label = _value_label(state, "record_note_state")
        state_label.setProperty("role", "banner")
        self.note_layout.addWidget(state_label)
        self.note_layout.addWidget(
            _group("Reflection note", note_sections(note.content), "record_note")
        )
        for i, a in enumerate(note.addenda):
            box = _group(
                f"Addendum — {a.author}, {fmt_dt(a.written_at)}",
                [("", a.text)],
                f"record_addendum_{i}",
            )
            self.note_layout.addWidget(box)

    # ---- plot (pyqtgraph is imported only when the Vitals tab is first shown) ----------------

    def _ensure_plot(self, index: int) -> None:
        if index == 1:
            self._plot_vitals()

    def _plot_vitals(self) -> None:
        if self.record is None or self.tabs.currentIndex() != 1:
            return
        from ui.plots import SeriesPlot, vitals_series

        label, series = vitals_series(self.record)
        if self._plot is None:
            self._plot = SeriesPlot("record_vitals_plot", "Vitals plot", label, "mmHg · /min · %")
            self.vitals_layout.insertWidget(0, self._plot, 1)
        self._plot.set_x_label(label)
        self._plot.set_series(series)

    # ---- print and export -------------------------------------------------------------------

    def print_record(self) -> None:
        if self.record is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("record_print_dialog")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            pages = print_record(self.record, printer)
            self.status.setText(f"Sent {pages} page(s) to the printer.")

    def _ask_path(self, fmt: str, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export record", suggested, FILE_FILTERS[fmt])
        return path

    def export(self, fmt: str) -> None:
        if self.record is None:
            return
        r = self.record
        suggested = str(
            Path.home() / f"{r.patient.chart_number}-session{r.number_in_course}{SUFFIX[fmt]}"
        )
        chosen = self.choose_path(fmt, suggested)
        if not chosen:
            return
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix(SUFFIX[fmt])
        actor = self._ctx.require_actor()
        try:
            record = attempt(
                self,
                "export",
                lambda: self._ctx.services.records.record_for_export(actor, r.id, fmt),
            )
        except ActionFailed:
            return
        job = ExportJob(record, fmt, path, self._ctx.clock.now())
        job.signals.finished.connect(lambda p, j=job: self._finished(j, f"Exported to {p}"))
        job.signals.failed.connect(lambda m, j=job: self._finished(j, m, failed=True))
        self._jobs.add(job)
        for button in self.export_buttons.values():
            button.setEnabled(False)
        self.status.setText(f"Exporting {fmt.upper()}…")
        self._pool.start(job)

    def _finished(self, job: ExportJob, message: str, failed: bool = False) -> None:
        self._jobs.discard(job)
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.status.setProperty("role", "error" if failed else "muted")
        self.status.setText(message)
        from ui.theme import restyle

        restyle(self.status)
        self.export_done.emit(message)


def fit_columns(view: QTableView, stretch: set[int]) -> None:
    """Short columns (times, numbers) fit their text; the `stretch` columns share the rest."""
    header = view.horizontalHeader()
    for column in range(view.model().columnCount()):
        header.setSectionResizeMode(
            column,
            QHeaderView.ResizeMode.Stretch
            if column in stretch
            else QHeaderView.ResizeMode.ResizeToContents,
        )


def _cell(i: int) -> Callable[[list[str]], str]:
    return lambda row: row[i]


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            # Detach now (not only at the next event loop turn) so lookups see the new content.
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
