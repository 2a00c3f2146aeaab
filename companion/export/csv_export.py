"""CSV of a session's readings and observations: one row per vitals reading, checkpoint and
observation, in time order, with minutes since T0.

Times are ISO 8601 in UTC. Free text that a spreadsheet would run as a formula (starting with
= + - @ or a tab/CR) is prefixed with an apostrophe, as OWASP advises against CSV injection; a
leading apostrophe is itself doubled so `decode_text` gives back exactly what was stored.
Written as UTF-8 with a byte-order mark, which spreadsheet programs need to show accents.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from companion.services.record_types import SessionRecord

COLUMNS = (
    "session_id",
    "kind",
    "row_id",
    "at_utc",
    "minutes_since_t0",
    "context",
    "systolic",
    "diastolic",
    "pulse",
    "spo2",
    "respiration",
    "temperature_c",
    "weight_kg",
    "on_oxygen",
    "consciousness",
    "news2",
    "flags",
    "moaas",
    "cadss_total",
    "nausea",
    "distress",
    "tag",
    "text",
    "adverse_event",
    "recorded_by",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def encode_text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def decode_text(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _num(value: float | int | None) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _at(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _minutes(record: SessionRecord, at: datetime) -> str:
    m = record.minutes_since_t0(at)
    return "" if m is None else f"{m:.1f}"


def rows(record: SessionRecord) -> list[dict[str, str]]:
    out: list[tuple[datetime, int, dict[str, str]]] = []
    base = {c: "" for c in COLUMNS}
    for v in record.vitals:
        out.append(
            (
                v.measured_at,
                0,
                base
                | {
                    "kind": "vitals",
                    "row_id": str(v.id),
                    "at_utc": _at(v.measured_at),
                    "minutes_since_t0": _minutes(record, v.measured_at),
                    "context": v.context,
                    "systolic": _num(v.systolic),
                    "diastolic": _num(v.diastolic),
                    "pulse": _num(v.pulse),
                    "spo2": _num(v.spo2),
                    "respiration": _num(v.respiration),
                    "temperature_c": _num(v.temperature_c),
                    "weight_kg": _num(v.weight_kg),
                    "on_oxygen": "yes" if v.on_oxygen else "no",
                    "consciousness": v.consciousness,
                    "news2": _num(v.news2_total),
                    "flags": encode_text(";".join(v.flags)),
                },
            )
        )
    for c in record.checkpoints:
        out.append(
            (
                c.measured_at,
                1,
                base
                | {
                    "kind": "checkpoint",
                    "row_id": str(c.id),
                    "at_utc": _at(c.measured_at),
                    "minutes_since_t0": _minutes(record, c.measured_at),
                    "context": c.key if c.status == "done" else f"{c.key} (missed)",
                    "moaas": _num(c.moaas),
                    "cadss_total": _num(c.cadss_total),
                    "nausea": _num(c.nausea),
                    "distress": _num(c.distress),
                    "text": encode_text(c.note if c.status == "done" else c.missed_reason),
                },
            )
        )
    for o in record.observations:
        out.append(
            (
                o.observed_at,
                2,
                base
                | {
                    "kind": "observation",
                    "row_id": str(o.id),
                    "at_utc": _at(o.observed_at),
                    "minutes_since_t0": _minutes(record, o.observed_at),
                    "tag": encode_text(o.tag),
                    "text": encode_text(o.text),
                    "adverse_event": "yes" if o.adverse_event else "no",
                    "recorded_by": encode_text(o.recorded_by),
                },
            )
        )
    out.sort(key=lambda t: (t[0], t[1]))
    return [r | {"session_id": str(record.id)} for _, _, r in out]


def to_csv(record: SessionRecord) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows(record))
    return buffer.getvalue().encode("utf-8-sig")
