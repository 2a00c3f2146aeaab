"""`python main.py export --session ID|latest --format pdf|csv|fhir --out FILE`, on the demo."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

import main
from companion.app_setup import DEMO_DB_FILENAME
from companion.logs import close_log_files

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _close_log_file() -> Iterator[None]:
    yield
    close_log_files()


def _latest_completed(data_dir: Path) -> tuple[int, str]:
    conn = sqlite3.connect(data_dir / DEMO_DB_FILENAME)
    try:
        row = conn.execute(
            "SELECT s.id, p.chart_number FROM treatment_session s JOIN patient p "
            "ON p.id = s.patient_id WHERE s.status = 'completed' "
            "ORDER BY s.started_at DESC, s.id DESC LIMIT 1"
        ).fetchone()
        return int(row[0]), str(row[1])
    finally:
        conn.close()


def _export_audit(data_dir: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data_dir / DEMO_DB_FILENAME)
    try:
        return conn.execute(
            "SELECT actor_id, session_id, detail FROM audit_event WHERE action = 'export'"
        ).fetchall()
    finally:
        conn.close()


def test_csv_and_fhir_export_of_the_latest_demo_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    csv_out, fhir_out = tmp_path / "s.csv", tmp_path / "s.json"
    argv = ["--data-dir", str(data), "--demo", "export", "--session", "latest"]
    assert main.main([*argv, "--format", "csv", "--out", str(csv_out)]) == 0
    assert main.main([*argv, "--format", "fhir", "--out", str(fhir_out)]) == 0
    session_id, chart = _latest_completed(data)
    out = capsys.readouterr().out
    assert f"Exported session {session_id} ({chart}" in out
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text("utf-8-sig"))))
    assert {r["session_id"] for r in rows} == {str(session_id)}
    assert sum(r["kind"] == "vitals" for r in rows) >= 5
    bundle = json.loads(fhir_out.read_text())
    Bundle.model_validate(bundle)
    patient = next(
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert patient["identifier"][0]["value"] == chart
    audit = _export_audit(data)
    assert [(a[0], a[1], json.loads(str(a[2]))["format"]) for a in audit] == [
        (None, session_id, "csv"),
        (None, session_id, "fhir"),
    ]
    assert all(json.loads(str(a[2]))["via"] == "command line" for a in audit)


@pytest.mark.parametrize(
    ("session", "out_name", "message"),
    [
        ("abc", "x.csv", "must be a session id"),
        ("٣", "x.csv", "must be a session id"),  # a non-ASCII digit is not an id
        ("99999", "x.csv", "No session with id 99999"),
        ("1", "missing/x.csv", "does not exist"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_nothing_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], session: str, out_name: str, message: str
) -> None:
    data = tmp_path / "data"
    argv = ["--data-dir", str(data), "--demo", "export", "--session", session]
    code = main.main([*argv, "--format", "csv", "--out", str(tmp_path / out_name)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / out_name).exists()
    if (data / DEMO_DB_FILENAME).exists():
        assert _export_audit(data) == []


def test_unknown_format_is_refused_by_the_parser(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main.main(
            [
                "--data-dir",
                str(tmp_path),
                "--demo",
                "export",
                "--session",
                "1",
                "--format",
                "docx",
                "--out",
                "x",
            ]
        )
    assert exc.value.code == 2


@pytest.mark.slow
def test_pdf_export_runs_headless_in_a_fresh_process(tmp_path: Path) -> None:
    """No display and no QApplication beforehand: the PDF path makes its own offscreen one."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = tmp_path / "record.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "main.py",
            "--data-dir",
            str(tmp_path / "data"),
            "--demo",
            "export",
            "--session",
            "latest",
            "--format",
            "pdf",
            "--out",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    session_id, chart = _latest_completed(tmp_path / "data")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out).pages)
    assert chart in text and "Signed by Dr. Maya Okafor" in text and "Page 1 of" in text
    assert f"Exported session {session_id}" in result.stdout
