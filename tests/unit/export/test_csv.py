"""CSV export: it round-trips to what the database holds, and free text cannot become a formula."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from companion.export import write_atomically
from companion.export.csv_export import COLUMNS, decode_text, encode_text, to_csv
from companion.services import Services
from companion.services.record_types import SessionRecord
from tests.unit.export.factory import OBSERVATION_TEXT


def _read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then show "Zoë" correctly
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _num(cell: str) -> float | None:
    return float(cell) if cell else None


def test_csv_round_trips_to_the_database(
    services: Services, record: SessionRecord, tmp_path: Path
) -> None:
    out = tmp_path / "session.csv"
    write_atomically(out, to_csv(record))
    rows = _read(out.read_bytes())
    assert list(rows[0]) == list(COLUMNS)
    conn = sqlite3.connect(services.db.path)
    try:
        vitals = conn.execute(
            "SELECT id, measured_at, context, systolic, diastolic, pulse, spo2, respiration, "
            "temperature_c, weight_kg FROM vitals_reading WHERE session_id = ? ORDER BY measured_at",
            (record.id,),
        ).fetchall()
        observations = conn.execute(
            "SELECT id, tag, text, adverse_event FROM observation WHERE session_id = ?",
            (record.id,),
        ).fetchall()
        checkpoints = conn.execute(
            "SELECT id, key, moaas, cadss_total FROM checkpoint WHERE session_id = ?", (record.id,)
        ).fetchall()
    finally:
        conn.close()
    got_vitals = [r for r in rows if r["kind"] == "vitals"]
    assert [
        (
            int(r["row_id"]),
            r["context"],
            *(_num(r[k]) for k in ("systolic", "diastolic", "pulse", "spo2", "respiration")),
            _num(r["temperature_c"]),
            _num(r["weight_kg"]),
        )
        for r in got_vitals
    ] == [(v[0], v[2], *v[3:]) for v in vitals]
    # Times are UTC ISO 8601 and the same instants as stored.
    for r, v in zip(got_vitals, vitals, strict=True):
        assert datetime.fromisoformat(r["at_utc"]) == datetime.fromisoformat(v[1] + "+00:00")
    got_obs = [r for r in rows if r["kind"] == "observation"]
    assert [
        (int(r["row_id"]), decode_text(r["tag"]), decode_text(r["text"]), r["adverse_event"])
        for r in got_obs
    ] == [(o[0], o[1], o[2], "yes" if o[3] else "no") for o in observations]
    got_cp = [r for r in rows if r["kind"] == "checkpoint"]
    assert [
        (int(r["row_id"]), r["context"], int(r["moaas"]), int(r["cadss_total"])) for r in got_cp
    ] == [tuple(c) for c in checkpoints]
    assert [r["minutes_since_t0"] for r in rows] == ["-35.0", "22.0", "40.0", "40.0"]
    assert {r["session_id"] for r in rows} == {str(record.id)}


def test_free_text_is_not_a_spreadsheet_formula(record: SessionRecord) -> None:
    rows = _read(to_csv(record))
    cell = next(r["text"] for r in rows if r["kind"] == "observation")
    assert OBSERVATION_TEXT.startswith("=") and cell == "'" + OBSERVATION_TEXT
    assert decode_text(cell) == OBSERVATION_TEXT


@given(st.text(max_size=30))
def test_text_encoding_is_reversible_and_never_starts_a_formula(text: str) -> None:
    cell = encode_text(text)
    assert decode_text(cell) == text
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "x.csv"
    with pytest.raises(OSError):
        write_atomically(target, b"data")
    assert not target.parent.exists()
    (tmp_path / "ok.csv").write_bytes(b"old")
    write_atomically(tmp_path / "ok.csv", b"new")
    assert (tmp_path / "ok.csv").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["ok.csv"]
