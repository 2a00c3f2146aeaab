"""The read-only session record: it shows what was entered, prints, and exports off the GUI
thread with the result posted back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QGroupBox, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from companion.roles import Actor
from companion.services import Services
from companion.storage.models import AuditEvent
from tests.conftest import START
from tests.unit.export.factory import (
    ACK_NOTE,
    ADDENDUM_TEXT,
    INTENTION,
    LOT,
    OBSERVATION_TEXT,
    add_patient,
    make_session,
)
from ui.context import AppContext
from ui.record_view import RecordView


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    pool = QThreadPool()
    yield pool
    pool.waitForDone(10_000)


@pytest.fixture
def session_id(services: Services, physician: Actor, guide: Actor) -> int:
    pid = add_patient(services, guide)
    return make_session(services, pid, physician, guide, START, adverse_observation=True).session_id


@pytest.fixture
def view(qtbot: QtBot, ctx: AppContext, pool: QThreadPool, session_id: int) -> RecordView:
    v = RecordView(ctx, pool=pool)
    qtbot.addWidget(v)
    v.resize(1200, 760)
    v.show()
    assert v.load(session_id)
    return v


def _shown_text(view: RecordView) -> str:
    """Every visible label and group title: what a reader of the screen sees."""
    labels = [w.text() for w in view.findChildren(QLabel) if w.isVisibleTo(view)]
    titles = [w.title() for w in view.findChildren(QGroupBox) if w.isVisibleTo(view)]
    return "\n".join(labels + titles)


def _cells(model: object) -> list[list[str]]:
    from PySide6.QtCore import QAbstractItemModel

    assert isinstance(model, QAbstractItemModel)
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_record_shows_what_was_entered(view: RecordView, services: Services) -> None:
    text = _shown_text(view)
    assert "Zoë Dubois — session 1" in view.title.text()
    assert "KC-9001" in view.subtitle.text() and "guide Gina Guide" in view.subtitle.text()
    for expected in (INTENTION, "lamotrigine", "Chris Dubois · +1 555 0142", LOT, "0.62 mg/kg"):
        assert expected in text, expected
    assert "body_scan" in text and "9 of 10 min" in text
    assert ACK_NOTE in text and "acknowledged by Dr. Test Physician" in text
    assert "BP settling, physician reviewed" in text and "7 (vitals 1, activity 2" in text
    vitals = _cells(view.vitals_model)
    assert [row[1:4] for row in vitals] == [
        ["T−35", "baseline", "128/79"],
        ["T+40", "checkpoint", "163/101"],
    ]
    timeline = _cells(view.timeline_model)
    assert ["T+22", f"ADVERSE EVENT: tearful — {OBSERVATION_TEXT}"] in [row[1:] for row in timeline]
    assert any("MOAA/S 4, CADSS-6 9" in row[2] for row in timeline)
    view.tabs.setCurrentIndex(3)
    note = _shown_text(view)
    assert "Signed by Dr. Test Physician" in note and "guide Gina Guide" in note
    assert ADDENDUM_TEXT in note and "Addendum — Gina Guide" in note


def test_vitals_tab_plots_the_readings(view: RecordView) -> None:
    assert view._plot is None  # pyqtgraph is not touched until the tab is shown
    view.tabs.setCurrentIndex(1)
    plot = view._plot
    assert plot is not None
    systolic = next(s for s in plot.series if s.name == "Systolic")
    assert systolic.points == ((-35.0, 128.0), (40.0, 163.0))
    assert "Systolic" in plot.legend.text() and "SpO₂" in plot.legend.text()


def _exports(services: Services) -> list[AuditEvent]:
    with services.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "export")))


@pytest.mark.parametrize("fmt", ["csv", "fhir", "pdf"])
def test_export_buttons_write_the_file_off_the_gui_thread(
    qtbot: QtBot, view: RecordView, services: Services, guide: Actor, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"record-{fmt}"  # no suffix: the format's suffix is added
    view.choose_path = lambda _fmt, _suggested: str(target)
    with qtbot.waitSignal(view.export_done, timeout=15_000) as done:
        qtbot.mouseClick(view.export_buttons[fmt], Qt.MouseButton.LeftButton)
        assert not view.export_buttons[fmt].isEnabled()  # while the worker runs
    written = target.with_suffix({"csv": ".csv", "fhir": ".json", "pdf": ".pdf"}[fmt])
    assert done.args == [f"Exported to {written}"] and view.status.text() == done.args[0]
    assert view.export_buttons[fmt].isEnabled()
    data = written.read_bytes()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert [r["systolic"] for r in rows if r["kind"] == "vitals"] == ["128", "163"]
    elif fmt == "fhir":
        assert json.loads(data)["resourceType"] == "Bundle"
    else:
        text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(written).pages)
        assert "163/101" in text and "Zoë Dubois" in text
    audit = _exports(services)
    assert [(a.actor_id, a.detail["format"]) for a in audit] == [(guide.id, fmt)]


def test_failed_export_is_reported_and_buttons_come_back(
    qtbot: QtBot, view: RecordView, tmp_path: Path
) -> None:
    view.choose_path = lambda _fmt, _suggested: str(tmp_path / "missing" / "x.csv")
    with qtbot.waitSignal(view.export_done, timeout=15_000) as done:
        qtbot.mouseClick(view.export_buttons["csv"], Qt.MouseButton.LeftButton)
    assert "could not be written" in done.args[0]
    assert view.status.property("role") == "error"
    assert all(b.isEnabled() for b in view.export_buttons.values())


def test_cancelled_file_dialog_exports_nothing(
    qtbot: QtBot, view: RecordView, services: Services
) -> None:
    view.choose_path = lambda _fmt, _suggested: ""
    qtbot.mouseClick(view.export_buttons["fhir"], Qt.MouseButton.LeftButton)
    assert _exports(services) == [] and view.status.text() == ""


def test_print_sends_the_record_to_the_chosen_printer(
    qtbot: QtBot, view: RecordView, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "printed.pdf"

    class PdfPrinter(QPrinter):
        def __init__(self, mode: QPrinter.PrinterMode) -> None:
            super().__init__(mode)
            self.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            self.setOutputFileName(str(out))

    class AcceptingDialog:
        def __init__(self, printer: QPrinter, _parent: object) -> None:
            self.printer = printer

        def setObjectName(self, _name: str) -> None:
            pass

        def exec(self) -> int:
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr("ui.record_view.QPrinter", PdfPrinter)
    monkeypatch.setattr("ui.record_view.QPrintDialog", AcceptingDialog)
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    assert view.status.text().startswith("Sent ")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert "Zoë Dubois" in text and LOT in text
