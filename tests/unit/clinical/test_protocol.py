"""Protocol loading: the shipped file loads; every kind of broken file names the key at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.protocol import (
    PRE_DISCHARGE_KEY,
    ProtocolError,
    default_protocol_path,
    load_protocol,
)

SHIPPED = default_protocol_path().read_text(encoding="utf-8")


def test_shipped_protocol_matches_clinical_defaults() -> None:
    p = load_protocol(default_protocol_path())
    assert p.planned_length_min == 60
    assert p.min_observation_min == 60
    assert p.idle_lock_minutes == 10
    assert (p.bp_gate.systolic_above, p.bp_gate.diastolic_above) == (140, 90)
    assert p.checkpoints.offsets_min == (5, 15, 30, 40, 60)
    assert (p.checkpoints.due_window_min, p.checkpoints.overdue_after_min) == (0, 5)
    keys = [cp.key for cp in p.checkpoints.definitions]
    assert keys == ["t5", "t15", "t30", "t40", "t60", PRE_DISCHARGE_KEY]
    assert p.dose_ceiling_mg_per_kg == 1.0
    a = p.alerts
    assert (a.urgent_systolic, a.urgent_diastolic, a.recheck_min) == (180, 110, 5)
    assert (a.rise_systolic, a.rise_diastolic) == (40, 25)
    assert (a.spo2_below, a.resp_below, a.resp_above) == (94, 10, 24)
    assert (a.pulse_above, a.pulse_below) == (120, 50)
    assert (p.fasting.food_hours, p.fasting.liquids_minutes) == (2, 30)
    assert "emergence reaction" in p.quick_tags and len(p.quick_tags) == 11


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "protocol.toml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, old: str, new: str) -> ProtocolError:
    assert old in SHIPPED
    with pytest.raises(ProtocolError) as err:
        load_protocol(write(tmp_path, SHIPPED.replace(old, new, 1)))
    return err.value


def test_offset_of_wrong_type_names_index(tmp_path: Path) -> None:
    err = broken(tmp_path, "[5, 15, 30, 40, 60]", '[5, 15, "abc", 40, 60]')
    assert (
        str(err)
        == "checkpoints.offsets_min[2]: must be a number of minutes ≥ 0 and ≤ 1440, got 'abc'"
    )
    assert err.key == "checkpoints.offsets_min[2]"


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("[5, 15, 30, 40, 60]", "[5, -15, 30]", "checkpoints.offsets_min[1]", "≥ 0"),
        ("[5, 15, 30, 40, 60]", "[5, 30, 15]", "checkpoints.offsets_min", "increasing"),
        ("[5, 15, 30, 40, 60]", "[5, 15, 15]", "checkpoints.offsets_min", "increasing"),
        ("[5, 15, 30, 40, 60]", "[]", "checkpoints.offsets_min", "at least one"),
        ("[5, 15, 30, 40, 60]", "5", "checkpoints.offsets_min", "list"),
        ("urgent_systolic = 180", "urgent_systolic = 180.5", "alerts.urgent_systolic", "whole"),
        ("urgent_systolic = 180", 'urgent_systolic = "180"', "alerts.urgent_systolic", "whole"),
        ("urgent_systolic = 180", "urgent_systolic = true", "alerts.urgent_systolic", "whole"),
        ("urgent_systolic = 180", "urgent_systolc = 180", "alerts.urgent_systolc", "unknown key"),
        ("urgent_systolic = 180", "urgent_systolic = 130", "alerts.urgent_systolic", "bp_gate"),
        ("urgent_systolic = 180", "", "alerts.urgent_systolic", "missing"),
        ("resp_below = 10", "resp_below = 30", "alerts.resp_below", "resp_above"),
        ("pulse_below = 50", "pulse_below = 130", "alerts.pulse_below", "pulse_above"),
        (
            "before_discharge = true",
            "before_discharge = 1",
            "checkpoints.before_discharge",
            "true or false",
        ),
        ("ceiling_mg_per_kg = 1.0", "ceiling_mg_per_kg = nan", "dose.ceiling_mg_per_kg", "mg/kg"),
        ("ceiling_mg_per_kg = 1.0", "ceiling_mg_per_kg = 0", "dose.ceiling_mg_per_kg", "mg/kg"),
        ("planned_length_min = 60", "planned_length_min = -1", "session.planned_length_min", "≥ 1"),
        ('"nausea",', '"",', "observations.quick_tags[0]", "text"),
        ('"vomiting",', '"nausea",', "observations.quick_tags[1]", "repeats"),
        ('"tearful",', '"tear\\u0007ful",', "observations.quick_tags[3]", "control"),
        ("[fasting]", "[fastin]", "fastin", "unknown section"),
        ("[dose]\n", "[dose]\nfoo = 1\n", "dose.foo", "unknown key"),
    ],
)
def test_broken_values_name_the_key(
    tmp_path: Path, old: str, new: str, key: str, words: str
) -> None:
    err = broken(tmp_path, old, new)
    assert err.key == key
    assert str(err).startswith(f"{key}: ")
    assert words in str(err)


def test_missing_section(tmp_path: Path) -> None:
    text = SHIPPED[: SHIPPED.index("[observations]")]
    with pytest.raises(ProtocolError, match=r"^observations: missing section"):
        load_protocol(write(tmp_path, text))


def test_section_not_a_table(tmp_path: Path) -> None:
    start, end = SHIPPED.index("[session]"), SHIPPED.index("[bp_gate]")
    text = "session = 3\n" + SHIPPED[:start] + SHIPPED[end:]
    with pytest.raises(ProtocolError, match=r"^session: must be a"):
        load_protocol(write(tmp_path, text))


def test_syntax_error_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match="not valid TOML"):
        load_protocol(write(tmp_path, SHIPPED + "\n[alerts\n"))
    with pytest.raises(ProtocolError, match="not found"):
        load_protocol(tmp_path / "nope.toml")
    (tmp_path / "bad.toml").write_bytes(b"\xff\xfe[")
    with pytest.raises(ProtocolError):
        load_protocol(tmp_path / "bad.toml")


def test_fractional_offsets_and_no_discharge_checkpoint(tmp_path: Path) -> None:
    text = SHIPPED.replace("[5, 15, 30, 40, 60]", "[0, 7.5, 20]").replace(
        "before_discharge = true", "before_discharge = false"
    )
    p = load_protocol(write(tmp_path, text))
    assert [(c.key, c.label) for c in p.checkpoints.definitions] == [
        ("t0", "0 min"),
        ("t7.5", "7.5 min"),
        ("t20", "20 min"),
    ]
