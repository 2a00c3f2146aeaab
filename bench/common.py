"""What every figure shares: summary statistics, the figure record, and child processes.

Every Qt figure runs in a fresh Python process (`python -m bench.child <name>`), so one figure's
imports, caches and memory never flatter the next one; the child prints one JSON line last.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Spread:
    """Median of several runs with min, max and the interquartile range."""

    median: float
    low: float
    high: float
    q1: float
    q3: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("no samples")
        values = sorted(samples)
        if len(values) >= 2:
            q1, _q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = q3 = values[0]
        return cls(statistics.median(values), values[0], values[-1], q1, q3, len(values))

    def scaled(self, factor: float) -> Spread:
        f = factor
        return Spread(
            self.median * f, self.low * f, self.high * f, self.q1 * f, self.q3 * f, self.n
        )

    def as_dict(self, digits: int = 3) -> dict[str, float | int]:
        return {
            "median": round(self.median, digits),
            "min": round(self.low, digits),
            "max": round(self.high, digits),
            "q1": round(self.q1, digits),
            "q3": round(self.q3, digits),
            "n": self.n,
        }


@dataclass
class Figure:
    """One line of the results table.

    `goal_ratio` set: the goal is value ≤ goal_ratio × floor. `goal_value` set: value ≤ goal_value.
    """

    key: str
    title: str
    unit: str
    value: Spread
    floor: Spread | None = None
    floor_label: str = ""
    goal_ratio: float | None = None
    goal_value: float | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor.median <= 0:
            return None
        return self.value.median / self.floor.median

    @property
    def goal(self) -> str:
        if self.goal_ratio is not None:
            return f"≤ {self.goal_ratio:g}× floor"
        assert self.goal_value is not None
        return f"≤ {self.goal_value:g} {self.unit}"

    @property
    def meets_goal(self) -> bool:
        if self.goal_ratio is not None:
            ratio = self.ratio
            return ratio is not None and ratio <= self.goal_ratio
        assert self.goal_value is not None
        return self.value.median <= self.goal_value

    def as_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "title": self.title,
            "value": self.value.as_dict(),
            "unit": self.unit,
            "floor": self.floor.as_dict() if self.floor is not None else None,
            "floor_label": self.floor_label or None,
            "ratio": round(ratio, 3) if ratio is not None else None,
            "goal": self.goal,
            "meets_goal": self.meets_goal,
            "notes": self.notes,
            **({"extra": self.extra} if self.extra else {}),
        }


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_LOGGING_RULES", "qt.multimedia*=false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    # A private settings home, so the benchmark never reads or writes the user's QSettings.
    env["XDG_CONFIG_HOME"] = str(OUT / "config")
    return env


def run_child(name: str, *args: str, timeout: float = 180.0) -> dict[str, Any]:
    """Run `python -m bench.child NAME ARGS` and return the JSON of its last stdout line."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", name, *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"bench child {name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result
