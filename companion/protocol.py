"""The clinic protocol (data/protocol.toml): checkpoints, BP gate, alert thresholds, dose ceiling.

Loaded strictly: a missing file, a TOML syntax error, an unknown or missing key, a wrong type or an
out-of-range value is a `ProtocolError` naming the key and the problem. There is deliberately no
silent fallback to built-in defaults — a clinic that edited a threshold must never run on another.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from companion.clinical.alerts import AlertThresholds, BpGate

__all__ = [
    "PRE_DISCHARGE_KEY",
    "AlertThresholds",
    "BpGate",
    "CheckpointDef",
    "CheckpointPlan",
    "Fasting",
    "Protocol",
    "ProtocolError",
    "default_protocol_path",
    "load_protocol",
]

PRE_DISCHARGE_KEY = "pre_discharge"
MAX_TAG_LEN = 60


class ProtocolError(Exception):
    """The protocol file cannot be used; `key` is the dotted key at fault ("" for the file)."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}" if key else problem)
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class CheckpointDef:
    key: str  # stored with each checkpoint record: "t5", "t40", "pre_discharge"
    label: str
    offset_min: float | None  # minutes after T0; None for "before discharge"


@dataclass(frozen=True)
class CheckpointPlan:
    offsets_min: tuple[float, ...]
    before_discharge: bool
    due_window_min: float
    overdue_after_min: float

    @cached_property  # read on every checkpoint save; the plan is frozen
    def definitions(self) -> tuple[CheckpointDef, ...]:
        timed = tuple(CheckpointDef(f"t{m:g}", f"{m:g} min", m) for m in self.offsets_min)
        if self.before_discharge:
            return (*timed, CheckpointDef(PRE_DISCHARGE_KEY, "Before discharge", None))
        return timed


@dataclass(frozen=True)
class Fasting:
    food_hours: float
    liquids_minutes: float


@dataclass(frozen=True)
class Protocol:
    planned_length_min: float
    min_observation_min: float
    idle_lock_minutes: float
    bp_gate: BpGate
    checkpoints: CheckpointPlan
    dose_ceiling_mg_per_kg: float
    alerts: AlertThresholds
    fasting: Fasting
    quick_tags: tuple[str, ...]


def default_protocol_path() -> Path:
    """The shipped protocol: <repo>/data/protocol.toml, found relative to this package."""
    return Path(__file__).resolve().parent.parent / "data" / "protocol.toml"


# Every key the file may hold, per section (anything else is an error).
_KEYS: dict[str, tuple[str, ...]] = {
    "session": ("planned_length_min", "min_observation_min", "idle_lock_minutes"),
    "bp_gate": ("systolic_above", "diastolic_above"),
    "checkpoints": ("offsets_min", "before_discharge", "due_window_min", "overdue_after_min"),
    "dose": ("ceiling_mg_per_kg",),
    "alerts": tuple(AlertThresholds.__dataclass_fields__),
    "fasting": ("food_hours", "liquids_minutes"),
    "observations": ("quick_tags",),
}
_SECTIONS = tuple(_KEYS)


class _Section:
    """One [table] of the file with typed getters. Unknown keys are reported first: a typo'd key
    is more helpful as "unknown key 'urgent_systolc'" than as the right key being missing."""

    def __init__(self, root: dict[str, Any], name: str) -> None:
        if name not in root:
            raise ProtocolError(name, "missing section (required)")
        data = root[name]
        if not isinstance(data, dict):
            raise ProtocolError(name, f"must be a [{name}] table, got {data!r}")
        known = _KEYS[name]
        for key in data:
            if key not in known:
                raise ProtocolError(f"{name}.{key}", f"unknown key (known: {', '.join(known)})")
        self.name = name
        self.data: dict[str, Any] = data

    def _raw(self, key: str) -> Any:
        if key not in self.data:
            raise ProtocolError(f"{self.name}.{key}", "missing (required)")
        return self.data[key]

    def number(self, key: str, what: str, low: float, high: float) -> float:
        return _number(f"{self.name}.{key}", self._raw(key), what, low, high)

    def whole(self, key: str, what: str, low: int, high: int) -> int:
        value = self._raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ProtocolError(
                f"{self.name}.{key}",
                f"must be a whole number of {what} from {low} to {high}, got {value!r}",
            )
        return value

    def boolean(self, key: str) -> bool:
        value = self._raw(key)
        if not isinstance(value, bool):
            raise ProtocolError(f"{self.name}.{key}", f"must be true or false, got {value!r}")
        return value

    def array(self, key: str) -> list[Any]:
        value = self._raw(key)
        if not isinstance(value, list):
            raise ProtocolError(f"{self.name}.{key}", f"must be a list [...], got {value!r}")
        return value


def _number(key: str, value: Any, what: str, low: float, high: float) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and low <= value <= high
    )
    if not ok:
        raise ProtocolError(key, f"must be {what} ≥ {low:g} and ≤ {high:g}, got {value!r}")
    return float(value)


def _checkpoints(s: _Section) -> CheckpointPlan:
    raw = s.array("offsets_min")
    if not raw:
        raise ProtocolError("checkpoints.offsets_min", "must list at least one checkpoint")
    offsets = tuple(
        _number(f"checkpoints.offsets_min[{i}]", v, "a number of minutes", 0, 24 * 60)
        for i, v in enumerate(raw)
    )
    if any(b <= a for a, b in itertools.pairwise(offsets)):
        raise ProtocolError(
            "checkpoints.offsets_min",
            f"must be in increasing order without repeats, got {raw!r}",
        )
    return CheckpointPlan(
        offsets_min=offsets,
        before_discharge=s.boolean("before_discharge"),
        due_window_min=s.number("due_window_min", "a number of minutes", 0, 60),
        overdue_after_min=s.number("overdue_after_min", "a number of minutes", 0, 60),
    )


def _alerts(s: _Section, gate: BpGate) -> AlertThresholds:
    t = AlertThresholds(
        urgent_systolic=s.whole("urgent_systolic", "mmHg", 50, 300),
        urgent_diastolic=s.whole("urgent_diastolic", "mmHg", 20, 200),
        recheck_min=s.whole("recheck_min", "minutes", 1, 60),
        rise_systolic=s.whole("rise_systolic", "mmHg", 1, 200),
        rise_diastolic=s.whole("rise_diastolic", "mmHg", 1, 200),
        spo2_below=s.whole("spo2_below", "%", 50, 100),
        resp_below=s.whole("resp_below", "breaths/min", 3, 60),
        resp_above=s.whole("resp_above", "breaths/min", 3, 60),
        pulse_above=s.whole("pulse_above", "beats/min", 20, 250),
        pulse_below=s.whole("pulse_below", "beats/min", 20, 250),
    )
    # Cross-checks: a swapped pair would silence an alarm, so refuse it.
    if t.resp_below >= t.resp_above:
        raise ProtocolError(
            "alerts.resp_below", f"must be below alerts.resp_above ({t.resp_above})"
        )
    if t.pulse_below >= t.pulse_above:
        raise ProtocolError(
            "alerts.pulse_below", f"must be below alerts.pulse_above ({t.pulse_above})"
        )
    if t.urgent_systolic <= gate.systolic_above:
        raise ProtocolError(
            "alerts.urgent_systolic",
            f"must be above bp_gate.systolic_above ({gate.systolic_above})",
        )
    if t.urgent_diastolic <= gate.diastolic_above:
        raise ProtocolError(
            "alerts.urgent_diastolic",
            f"must be above bp_gate.diastolic_above ({gate.diastolic_above})",
        )
    return t


def _tags(s: _Section) -> tuple[str, ...]:
    tags: list[str] = []
    for i, tag in enumerate(s.array("quick_tags")):
        key = f"observations.quick_tags[{i}]"
        if not isinstance(tag, str) or not tag.strip() or len(tag) > MAX_TAG_LEN:
            raise ProtocolError(
                key, f"must be a text of 1 to {MAX_TAG_LEN} characters, got {tag!r}"
            )
        if not tag.isprintable():
            raise ProtocolError(key, f"contains a control character: {tag!r}")
        if tag.strip() in tags:
            raise ProtocolError(key, f"repeats the tag {tag.strip()!r}")
        tags.append(tag.strip())
    return tuple(tags)


def parse_protocol(root: dict[str, Any]) -> Protocol:
    """Build a Protocol from parsed TOML (separate from file reading for tests and tools)."""
    for name in root:
        if name not in _SECTIONS:
            raise ProtocolError(name, f"unknown section (known: {', '.join(_SECTIONS)})")
    session, gate_s, cp_s, dose_s, alerts_s, fasting_s, obs_s = (
        _Section(root, name) for name in _SECTIONS
    )
    planned = session.number("planned_length_min", "a number of minutes", 1, 24 * 60)
    observation = session.number("min_observation_min", "a number of minutes", 0, 24 * 60)
    idle = session.number("idle_lock_minutes", "a number of minutes", 1, 240)
    gate = BpGate(
        systolic_above=gate_s.whole("systolic_above", "mmHg", 50, 300),
        diastolic_above=gate_s.whole("diastolic_above", "mmHg", 20, 200),
    )
    plan = _checkpoints(cp_s)
    ceiling = dose_s.number("ceiling_mg_per_kg", "a dose in mg/kg", 0.05, 5)
    thresholds = _alerts(alerts_s, gate)
    fasting = Fasting(
        food_hours=fasting_s.number("food_hours", "a number of hours", 0, 24),
        liquids_minutes=fasting_s.number("liquids_minutes", "a number of minutes", 0, 24 * 60),
    )
    tags = _tags(obs_s)
    return Protocol(
        planned_length_min=planned,
        min_observation_min=observation,
        idle_lock_minutes=idle,
        bp_gate=gate,
        checkpoints=plan,
        dose_ceiling_mg_per_kg=ceiling,
        alerts=thresholds,
        fasting=fasting,
        quick_tags=tags,
    )


def load_protocol(path: Path) -> Protocol:
    """Read and check the protocol file; ProtocolError for anything wrong with it."""
    try:
        with path.open("rb") as f:
            root = tomllib.load(f)
    except FileNotFoundError:
        raise ProtocolError("", f"{path}: protocol file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ProtocolError("", f"{path}: not valid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ProtocolError("", f"{path}: cannot read the protocol file: {e}") from None
    return parse_protocol(root)
