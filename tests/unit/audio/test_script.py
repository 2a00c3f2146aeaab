from __future__ import annotations

from pathlib import Path

import pytest

from audio.script import (
    Bell,
    FlexPause,
    Pause,
    ScriptError,
    Speech,
    load_scripts,
    parse_script,
    personalise,
    speech_texts,
)

MEDITATIONS = Path(__file__).resolve().parents[3] / "data" / "meditations"
MINIMAL = "title: T\nsay Hello.\nflex 1..5\n"


def test_all_shipped_scripts_parse() -> None:
    scripts = load_scripts(MEDITATIONS)
    names = {s.name for s in scripts}
    assert {
        "breath_awareness",
        "body_scan",
        "intention_setting",
        "safe_place",
        "grounding_ptsd",
    } <= names
    for script in scripts:
        assert script.title and script.description
        assert script.closing, f"{script.name} has no closing section"
        kinds = [s.kind for s in script.segments if isinstance(s, Bell)]
        assert kinds[0] == "start" and kinds[-1] == "end", script.name


def test_shipped_scripts_are_invitational_and_never_instruct_touch() -> None:
    for script in load_scripts(MEDITATIONS):
        words = " ".join(speech_texts(personalise(script, None))).lower()
        assert "you might" in words, script.name
        for forbidden in ("touch", "place your hand", "place a hand", "cure", "heal"):
            assert forbidden not in words, f"{script.name} says {forbidden!r}"


def test_grounding_script_keeps_eyes_open_and_offers_a_way_to_stop() -> None:
    (grounding,) = [s for s in load_scripts(MEDITATIONS) if s.name == "grounding_ptsd"]
    words = " ".join(speech_texts(grounding)).lower()
    assert grounding.indications == frozenset({"ptsd"})
    assert "eyes can stay open" in words
    assert "in this room, today" in words
    assert "feet" in words and "floor" in words
    assert "stop" in words
    for sense in ("five things", "four things", "three things", "two things", "one thing"):
        assert sense in words


def test_parses_every_directive() -> None:
    script = parse_script(
        "# comment\n"
        "title: Demo\n"
        "description: A demo.\n"
        "indications: ptsd, anxiety\n"
        "\n"
        "bell start\n"
        "say Hello there,\n"
        "  and welcome.\n"
        "pause 2.5\n"
        "flex 5..60 weight 2\n"
        "flex 1 .. 3\n"
        "closing\n"
        "say Goodbye # not a comment\n"
        "bell end double\n",
        "demo.txt",
    )
    assert script.name == "demo"
    assert script.indications == frozenset({"ptsd", "anxiety"})
    assert script.suits("ptsd") and not script.suits("depression")
    assert script.body == (
        Bell("start"),
        Speech("Hello there, and welcome."),
        Pause(2.5),
        FlexPause(5, 60, 2),
        FlexPause(1, 3, 1),
    )
    assert script.closing == (Speech("Goodbye # not a comment"), Bell("end", double=True))


def test_intention_is_spoken_only_when_given() -> None:
    text = "title: T\nsay Your words: {intention}.\nelse Whatever brought you here.\nflex 1..5\n"
    script = parse_script(text, "i.txt")
    spoken = personalise(script, "  to be kinder\n to myself. ")
    assert speech_texts(spoken) == ["Your words: to be kinder to myself."]
    assert speech_texts(personalise(script, None)) == ["Whatever brought you here."]
    assert speech_texts(personalise(script, "   ")) == ["Whatever brought you here."]
    assert "{" not in speech_texts(personalise(script, "{intention}"))[0]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("say Hi\nflex 1..5\n", 1, "missing 'title:'"),
        ("title: T\nsing Hi\nflex 1..5\n", 2, "unknown directive 'sing'"),
        ("title: T\nsay Hi\npause soon\nflex 1..5\n", 3, "pause needs a number"),
        ("title: T\nsay Hi\npause 0\nflex 1..5\n", 3, "more than 0"),
        ("title: T\nsay Hi\nflex 9..5\n", 3, "0 <= MIN <= MAX"),
        ("title: T\nsay Hi\nflex 5-9\n", 3, "MIN..MAX"),
        ("title: T\nsay Hi\nflex 1..5 weight 0\n", 3, "weight"),
        ("title: T\nsay Hi\nbell loud\nflex 1..5\n", 3, "start, interval or end"),
        ("title: T\nsay Hi\n", 1, "at least one 'flex'"),
        ("title: T\nsay Hi\nflex 1..5\nclosing\nflex 1..2\n", 5, "not allowed after 'closing'"),
        ("title: T\nsay Hi\nflex 1..5\nclosing\nclosing\n", 5, "twice"),
        ("title: T\nsay {intension}\nflex 1..5\n", 2, "unknown placeholder {intension}"),
        ("title: T\nsay For {intention}\nflex 1..5\n", 2, "followed by an 'else'"),
        ("title: T\nsay Hi\nelse Hello\nflex 1..5\n", 3, "'else' only follows"),
        ("title: T\nindications: dogs\nsay Hi\nflex 1..5\n", 2, "unknown indication(s) dogs"),
        ("title: T\nsay Hi\ntitle: Again\nflex 1..5\n", 3, "belongs at the top"),
        ("title: T\nfoo: bar\nsay Hi\nflex 1..5\n", 2, "unknown header 'foo:'"),
        ("title: T\n  orphan\nsay Hi\nflex 1..5\n", 2, "continues"),
        ("title: T\nflex 1..5\n", 1, "nothing to say"),
    ],
)
def test_errors_name_file_line_and_problem(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ScriptError) as caught:
        parse_script(text, "custom.txt")
    assert caught.value.source == "custom.txt"
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert str(caught.value).startswith(f"custom.txt:{line}: ")


def test_load_scripts_reports_the_broken_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "bad.txt").write_text("title: B\nsay Hi\nflex x..5\n", encoding="utf-8")
    with pytest.raises(ScriptError, match=r"^bad\.txt:3: "):
        load_scripts(tmp_path)


def test_load_scripts_refuses_non_utf8(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("title: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScriptError, match=r"latin\.txt:1: not UTF-8"):
        load_scripts(tmp_path)
