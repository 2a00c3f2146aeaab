"""A session record on paper: HTML laid out by QTextDocument, printed to a PDF or a printer;
and the worker that writes any export (PDF, CSV, FHIR) off the GUI thread.

Black on white, body text 10.5 pt, tables 10 pt; every page carries the patient, chart number and
session in its header and "page i of n" in its footer, as a filed record must. Uses QtGui only,
so it runs off the GUI thread (the export worker) and under a bare QGuiApplication (the CLI).
"""

from __future__ import annotations

import html
import logging
import os
from datetime import datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QRectF, QRunnable, QSizeF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from companion.export import write_atomically
from companion.export.csv_export import to_csv
from companion.export.fhir import to_json
from companion.export.summary import (
    VITALS_HEADERS,
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
from ui.plots import paint_chart, vitals_series

log = logging.getLogger(__name__)
BODY_PT = 10.5
CHART_URL = QUrl("chart://vitals")
DPI = 300
_CSS = """
body { color: #000; }
h1 { font-size: 15pt; margin-bottom: 4pt; }
h2 { font-size: 12.5pt; margin-top: 14pt; margin-bottom: 4pt; }
table { border-collapse: collapse; margin-bottom: 6pt; }
td, th { font-size: 10pt; padding-right: 8pt; }
th { text-align: left; border-bottom: 1px solid #000; }
td.label { color: #333; }
.muted { color: #333; }
.flag { font-weight: bold; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _pairs(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<tr><td class="label" width="36%">{_e(k)}</td><td>{_e(v)}</td></tr>' for k, v in rows
    )
    return f'<table width="100%" cellpadding="2" cellspacing="0">{cells}</table>'


def _table(headers: list[str] | tuple[str, ...], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>" for r in rows)
    # <thead> repeats the header row on every page a long table runs onto.
    return f'<table width="100%" cellpadding="2" cellspacing="0"><thead><tr>{head}</tr></thead>{body}</table>'


def record_html(record: SessionRecord, tz: tzinfo | None = None, chart: bool = True) -> str:
    p = record.patient
    out = [
        f"<h1>{_e(p.full_name)} — session {record.number_in_course}</h1>",
        _pairs(
            [
                ("Chart number", p.chart_number),
                ("Date of birth", p.date_of_birth.isoformat()),
                ("Indication", INDICATION_LABELS[p.indication]),
                ("Session started", fmt_dt(record.started_at, tz)),
                ("Injection (T0)", fmt_dt(record.t0, tz)),
                ("Discharged", fmt_dt(record.discharged_at, tz)),
                ("Status", record.status.value.replace("_", " ")),
                ("Guide / physician", f"{record.guide or '—'} / {record.physician or '—'}"),
            ]
        ),
    ]
    if record.check_in is not None:
        out += ["<h2>Check-in and checklist</h2>", _pairs(checklist(record.check_in, tz))]
        out.append(f"<p><b>Intention:</b> {_e(text_or_dash(record.check_in.intention))}</p>")
    if record.scales:
        out += [
            "<h2>Scales</h2>",
            _table(
                ["Scale", "When", "Total", "Band"],
                [
                    [
                        scale_name(s.scale),
                        f"{s.context} {fmt_time(s.measured_at, tz)}",
                        str(s.total),
                        s.band,
                    ]
                    for s in record.scales
                ],
            ),
        ]
    for c in record.centering:
        minutes = f"{(c.actual_s or 0) / 60:.0f} of {(c.planned_s or 0) / 60:.0f} min"
        out += [
            "<h2>Centering</h2>",
            _pairs(
                [
                    ("Mode and script", f"{c.mode} · {c.script_id or '—'}"),
                    ("Length (actual of planned)", minutes),
                    ("Pauses / ended early", f"{c.pauses} / {'yes' if c.ended_early else 'no'}"),
                    ("Guide", text_or_dash(c.guide)),
                ]
                + ([("Note", c.note)] if c.note else [])
            ),
        ]
    for d in record.doses:
        out += [f"<h2>Dose ({_e(d.kind)})</h2>", _pairs(dose_lines(d, record, tz))]
    out.append("<h2>Vitals</h2>")
    if chart and record.vitals:
        out.append(f'<p><img src="{CHART_URL.toString()}" width="640"></p>')
    out.append(
        _table(VITALS_HEADERS, [vitals_row(v, record, tz) for v in record.vitals])
        if record.vitals
        else "<p>No readings.</p>"
    )
    entries = timeline(record)
    out += [
        "<h2>Timeline</h2>",
        _table(
            ["Time", "Since T0", "Event"],
            [[fmt_time(e.at, tz), fmt_minutes(e.minutes), e.text] for e in entries],
        )
        if entries
        else "<p>Nothing recorded.</p>",
    ]
    if record.discharge is not None:
        out += ["<h2>Discharge</h2>", _pairs(discharge_lines(record.discharge, tz))]
    note = record.note
    out.append("<h2>Reflection note</h2>")
    if note is None:
        out.append("<p>No note written.</p>")
    else:
        out.append(_pairs(note_sections(note.content)))
        if note.signed_at is not None:
            out.append(
                f"<p><b>Signed</b> by {_e(note.signed_by or '?')} on {_e(fmt_dt(note.signed_at, tz))}"
                f"; guide: {_e(note.guide or '—')}."
                + (
                    f'<br><span class="muted">Content SHA-256 {_e(note.content_sha256)}</span>'
                    if note.content_sha256
                    else ""
                )
                + "</p>"
            )
        else:
            out.append("<p class='flag'>DRAFT — not signed.</p>")
        for a in note.addenda:
            out.append(
                f"<p><b>Addendum</b> by {_e(a.author)}, {_e(fmt_dt(a.written_at, tz))}:<br>"
                + "<br>".join(_e(line) for line in a.text.splitlines())
                + "</p>"
            )
    return f"<html><head><style>{_CSS}</style></head><body>{''.join(out)}</body></html>"


def build_document(record: SessionRecord, tz: tzinfo | None = None) -> QTextDocument:
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(BODY_PT)
    doc.setDefaultFont(font)
    if record.vitals:
        label, series = vitals_series(record)
        doc.addResource(
            QTextDocument.ResourceType.ImageResource,
            CHART_URL,
            paint_chart(series, label, 1600, 620),
        )
    doc.setHtml(record_html(record, tz))
    return doc


def print_record(record: SessionRecord, device: QPagedPaintDevice, tz: tzinfo | None = None) -> int:
    """Lay out and paint `record` on a PDF writer or printer; returns the number of pages."""
    doc = build_document(record, tz)
    layout = device.pageLayout()
    res = device.logicalDpiX()
    page = layout.paintRectPixels(res)
    doc.documentLayout().setPaintDevice(device)
    header_h = res * 0.35
    body = QRectF(0, header_h, page.width(), page.height() - 2 * header_h)
    doc.setPageSize(QSizeF(body.width(), body.height()))
    pages = max(1, doc.pageCount())
    p = record.patient
    header = f"{p.full_name} · {p.chart_number} · session {record.number_in_course}, {fmt_dt(record.started_at, tz)[:10]}"
    painter = QPainter(device)
    try:
        small = QFont(doc.defaultFont())
        small.setPointSizeF(9)
        for i in range(pages):
            if i:
                device.newPage()
            painter.setFont(small)
            painter.drawText(
                QRectF(0, 0, body.width(), header_h * 0.8), Qt.AlignmentFlag.AlignBottom, header
            )
            painter.drawLine(0, round(header_h * 0.9), round(body.width()), round(header_h * 0.9))
            footer = QRectF(0, body.bottom() + header_h * 0.2, body.width(), header_h * 0.8)
            painter.drawText(
                footer,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                f"Page {i + 1} of {pages}",
            )
            painter.drawText(
                footer,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                "Session Companion — clinical record",
            )
            painter.save()
            painter.translate(0, header_h - i * body.height())
            doc.drawContents(painter, QRectF(0, i * body.height(), body.width(), body.height()))
            painter.restore()
    finally:
        painter.end()
    return pages


def write_pdf(record: SessionRecord, path: Path, tz: tzinfo | None = None) -> int:
    """Write the record to `path` as an A4 PDF (via a temporary file, so no half-written PDF)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.part")
    writer = QPdfWriter(str(tmp))
    try:
        writer.setResolution(DPI)
        writer.setTitle(f"Session record {record.patient.chart_number} #{record.number_in_course}")
        writer.setCreator("Session Companion")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(18, 14, 18, 14),
                QPageLayout.Unit.Millimeter,
            )
        )
        pages = print_record(record, writer, tz)
    finally:
        del writer  # flushes and closes the file
    if not tmp.exists() or tmp.stat().st_size == 0:
        raise OSError(f"the PDF could not be written to {path.parent}")
    os.replace(tmp, path)
    return pages


def write_pdf_headless(record: SessionRecord, path: Path) -> int:
    """For the command line: a GUI application is needed for fonts, but no display."""
    if QGuiApplication.instance() is None:
        app = QGuiApplication(["session-companion", "-platform", "offscreen"])
        try:
            return write_pdf(record, path)
        finally:
            del app
    return write_pdf(record, path)


class ExportSignals(QObject):
    """Signals: finished(str path), failed(str message) — delivered on the GUI thread."""

    finished = Signal(str)
    failed = Signal(str)


class ExportJob(QRunnable):
    """Render one record to one file, off the GUI thread."""

    def __init__(self, record: SessionRecord, fmt: str, path: Path, generated_at: datetime) -> None:
        super().__init__()
        self.record, self.fmt, self.path, self.generated_at = record, fmt, path, generated_at
        self.signals = ExportSignals()

    def run(self) -> None:
        try:
            if self.fmt == "pdf":
                write_pdf(self.record, self.path)
            elif self.fmt == "csv":
                write_atomically(self.path, to_csv(self.record))
            else:
                write_atomically(self.path, to_json(self.record, self.generated_at))
        except OSError as exc:
            self.signals.failed.emit(f"The file could not be written: {exc.strerror or exc}.")
        except Exception:  # a bug: logged in full, and the user is told rather than left waiting
            log.exception("export %s failed", self.fmt)
            self.signals.failed.emit("The export failed because of an error in the app (logged).")
        else:
            self.signals.finished.emit(str(self.path))
