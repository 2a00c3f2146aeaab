"""The PDF record: it holds the entered values, names the patient on every page, and is black on
white when rendered (pdftoppm, as a reader's viewer or printer would)."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from companion.roles import Actor
from companion.services import Services
from companion.services.record_types import SessionRecord
from tests.conftest import START
from tests.unit.export.factory import (
    ACK_NOTE,
    ADDENDUM_TEXT,
    INTENTION,
    LOT,
    add_patient,
    make_session,
)
from ui.pdf_export import write_pdf


@pytest.fixture
def record(services: Services, physician: Actor, guide: Actor) -> SessionRecord:
    pid = add_patient(services, guide)
    made = make_session(services, pid, physician, guide, START, adverse_observation=True)
    return services.records.session_record(physician, made.session_id)


def _pages(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_pdf_contains_the_entered_values(
    qtbot: QtBot, record: SessionRecord, tmp_path: Path
) -> None:
    out = tmp_path / "record.pdf"
    pages = write_pdf(record, out)
    texts = _pages(out)
    assert len(texts) == pages
    text = " ".join(texts)
    for expected in (
        "Zoë Dubois",
        "KC-9001",
        "1980-05-17",
        INTENTION,
        "128/79",
        "163/101",
        LOT,
        "ketamine 45 mg",
        "tearful",
        ACK_NOTE,
        "BP settling, physician reviewed",
        "Signed by Dr. Test Physician",
        ADDENDUM_TEXT,
        "Gina Guide",
        "T+40",
    ):
        assert expected in text, expected
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert not list(tmp_path.glob(".*.part"))


def test_every_page_names_the_patient_and_counts_pages(
    qtbot: QtBot, record: SessionRecord, tmp_path: Path
) -> None:
    many = tuple(
        replace(
            record.vitals[1],
            id=1000 + i,
            measured_at=record.vitals[1].measured_at + timedelta(minutes=i),
        )
        for i in range(120)
    )
    out = tmp_path / "long.pdf"
    pages = write_pdf(replace(record, vitals=record.vitals + many), out)
    assert pages >= 3
    for i, text in enumerate(_pages(out), start=1):
        assert "Zoë Dubois · KC-9001 · session 1" in text
        assert f"Page {i} of {pages}" in text


def test_pdf_renders_black_on_white(qtbot: QtBot, record: SessionRecord, tmp_path: Path) -> None:
    out = tmp_path / "record.pdf"
    write_pdf(record, out)
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    image = QImage(str(next(tmp_path.glob("page*.png"))))
    assert not image.isNull()
    light = dark = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            lightness = image.pixelColor(x, y).lightness()
            light += lightness > 230
            dark += lightness < 80
    total = light + dark
    assert light / total > 0.8  # paper stays white: no dark theme leaking into print
    assert dark > 200  # and there is real black text on it
