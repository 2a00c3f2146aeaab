"""`make bench` / `python -m bench [--only KEY ...] [--quick]`: measure, then write
bench/results.json and bench/RESULTS.md (see bench/README.md for what each figure means)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import generate
from bench.common import OUT, ROOT, Figure, Spread

RESULTS_JSON = ROOT / "bench" / "results.json"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
GROUPS = ("commit", "history", "startup", "stall", "centering", "memory")


def machine() -> dict[str, Any]:
    import psutil  # type: ignore[import-untyped]
    import PySide6
    import sqlalchemy
    from PySide6.QtCore import qVersion

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        os_name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        os_name = platform.platform()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{os_name} ({platform.system()} {platform.release()})",
        "python": platform.python_version(),
        "pyside6": PySide6.__version__,
        "qt": qVersion(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        # This machine is shared: a high load explains slow absolute times (floors move too).
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def run(groups: tuple[str, ...], quick: bool) -> list[Figure]:
    from bench.figures import centering, commit, history, memory, stall, startup

    runs = 3 if quick else None
    figures: list[Figure] = []
    ten_year = generate.ensure()
    bare_rss: Spread | None = None

    def timed(name: str, call: Callable[[], list[Figure]]) -> None:
        started = time.monotonic()
        print(f"· {name} …", flush=True)
        got = call()
        figures.extend(got)
        for f in got:
            print(f"    {_line(f)}", flush=True)
        print(f"  ({time.monotonic() - started:.0f} s)", flush=True)

    if "commit" in groups:
        timed("checkpoint commit", commit.measure)
    if "history" in groups:
        work = OUT / "history"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copy(ten_year, work / "companion.sqlite3")  # opening records appends audit rows
        timed("history on 10 years", lambda: history.measure(work / "companion.sqlite3"))
        shutil.rmtree(work, ignore_errors=True)
    if "startup" in groups or "memory" in groups:

        def starting() -> list[Figure]:
            nonlocal bare_rss
            got, bare_rss = startup.measure(ten_year, runs or startup.RUNS)
            return got if "startup" in groups else []

        timed("start-up", starting)
    if "stall" in groups:
        timed("event-loop stalls", lambda: stall.measure(runs or stall.RUNS))
    if "centering" in groups:
        timed("centering start", lambda: centering.measure(runs or centering.RUNS))
    if "memory" in groups:
        assert bare_rss is not None
        floor = bare_rss
        timed("memory", lambda: memory.measure(floor, runs or memory.RUNS))
    return figures


def _line(f: Figure) -> str:
    v = f.value
    floor = f" | floor {f.floor.median:.1f} | ×{f.ratio:.2f}" if f.floor and f.ratio else ""
    ok = "meets" if f.meets_goal else "MISSES"
    return f"{f.title}: {v.median:.1f} {f.unit} ({v.low:.1f}–{v.high:.1f}){floor} | {ok} {f.goal}"


def write(figures: list[Figure], info: dict[str, Any], took_s: float) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    data = {
        "date": now.isoformat(),
        "machine": info,
        "duration_s": round(took_s, 1),
        "generator_version": generate.GENERATOR_VERSION,
        "figures": {f.key: f.as_dict() for f in figures},
    }
    RESULTS_JSON.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    RESULTS_MD.write_text(markdown(figures, info, now, took_s), encoding="utf-8")


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def markdown(figures: list[Figure], info: dict[str, Any], when: datetime, took_s: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {when:%Y-%m-%d %H:%M} UTC with `make bench` ({took_s:.0f} s in all). "
        "Medians of several runs, spread as min–max and [interquartile range].",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM; {info['os']}; "
        f"Python {info['python']}, PySide6 {info['pyside6']} (Qt {info['qt']}), "
        f"SQLite {info['sqlite']}, SQLAlchemy {info['sqlalchemy']}. Load average at the start: "
        f"{', '.join(str(x) for x in info['load_average_at_start'])} (a shared machine: compare "
        "ratios to floors measured in the same run rather than absolute times).",
        "",
        "| figure | value (median) | spread | floor | ratio | goal | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        v = f.value
        spread = f"{_num(v.low)}–{_num(v.high)} [{_num(v.q1)}–{_num(v.q3)}], n={v.n}"
        floor = f"{_num(f.floor.median)} {f.unit} ({f.floor_label})" if f.floor else "—"
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        met = "yes" if f.meets_goal else "**no**"
        lines.append(f"| {f.title} | {_num(v.median)} {f.unit} | {spread} | {floor} | {ratio} "
                     f"| {f.goal} | {met} |")  # fmt: skip
    lines += ["", "## Notes", ""]
    for f in figures:
        for note in f.notes:
            lines.append(f"- *{f.title}*: {note}")
    lines += ["", "See `bench/README.md` for how each figure is measured.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="run only these groups")
    parser.add_argument("--quick", action="store_true", help="3 runs each (a rough look)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    groups = tuple(args.only or GROUPS)
    started = time.monotonic()
    info = machine()
    figures = run(groups, args.quick)
    took = time.monotonic() - started
    if not args.no_write and not args.only:
        write(figures, info, took)
        print(f"wrote {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    missed = [f.key for f in figures if not f.meets_goal]
    print(f"{len(figures) - len(missed)} of {len(figures)} figures meet their goal"
          + (f"; missing: {', '.join(missed)}" if missed else "") + f" ({took:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
