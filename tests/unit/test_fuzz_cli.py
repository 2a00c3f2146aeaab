"""The command line under random argv: an exit code or argparse's SystemExit, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import main
from companion.logs import close_log_files

FLAGS = [
    "--data-dir",
    "--demo",
    "run",
    "screenshots",
    "--out",
    "--theme",
    "dim",
    "list-sessions",
    "backup",
    "restore",
    "--from",
    "--force",
    "--help",
    "-h",
    "--",
    "-",
    "",
]
# Random text, with the characters that would escape the temporary folder removed: the fuzzer
# must not write to / or the home folder. Everything else goes: NUL, controls, unicode, quotes.
junk = st.text(max_size=40).filter(lambda t: "/" not in t and "~" not in t and ".." not in t)
token = st.one_of(
    st.sampled_from(FLAGS),
    junk,
    st.sampled_from(["db.sqlite3", "x\x00y", "'; DROP TABLE patient; --", "\udcff"]),
)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPANION_DATA_DIR", str(tmp_path / "data"))
    # The GUI and the renderer have their own tests; here they must not open windows.
    monkeypatch.setattr("ui.app.run_app", lambda data_dir, demo: 0)
    monkeypatch.setattr("ui.screenshots.write_screenshots", lambda out, theme="dim": [])
    yield tmp_path
    close_log_files()


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=st.lists(token, max_size=6))
def test_random_argv_returns_a_code_or_exits_cleanly(
    sandbox: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main.main(argv)
    except SystemExit as exc:  # argparse: usage error (2) or --help (0)
        assert exc.code in (0, 2)
        return
    finally:
        capsys.readouterr()
    assert isinstance(code, int) and code in (0, 2, 3)


def test_nul_in_a_path_is_a_usage_error_not_a_traceback(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main.main(["--data-dir", "a\x00b", "list-sessions"])
    assert info.value.code == 2
    assert "not a usable path" in capsys.readouterr().err


def test_a_data_dir_that_is_a_file_is_a_clear_message(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (sandbox / "afile").write_text("x")
    assert main.main(["--data-dir", "afile", "list-sessions"]) == 3
    assert "cannot continue" in capsys.readouterr().err


def test_an_undecodable_argument_is_reported_not_a_crash(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main.main(["\udcff"])  # what Python makes of an argv byte that is not UTF-8
    assert info.value.code == 2
    assert "\\udcff" in capsys.readouterr().err
