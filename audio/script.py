"""Meditation scripts: a plain line format a clinic can edit in any text editor.

Grammar (one directive per line; UTF-8):

    # a comment (only at the start of a line, so spoken text may contain '#')
    title: Breath awareness              header, required, before the first segment
    description: One or two sentences.   header, optional
    indications: all                     header, optional (default all); 'all' or a comma list of
                                         depression, trd, anxiety, ptsd, other
    bell start|interval|end [double]     a bell; 'double' strikes it twice
    say Some words to speak.             speech; an indented line continues the previous text
    say You might hold your intention: {intention}.
    else You might hold whatever brought you here today.
                                         a 'say' with {intention} must be followed by 'else' with
                                         the neutral line used when there is no intention or the
                                         guide chooses not to speak it
    pause 4                              fixed silence in seconds (0 < s <= 600)
    flex 5..60 [weight 2]                flexible silence: min..max seconds, relative weight
                                         (default 1); flexible pauses absorb the chosen length
    closing                              everything after this line is anchored to the end

Rules: at least one 'flex' before 'closing' (so the script can fit a chosen length); 'flex' is not
allowed after 'closing' (the ending keeps its exact timing); at most one 'closing'.
Errors name the file and line and say what is allowed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

BellKind = Literal["start", "interval", "end"]
BELL_KINDS: tuple[BellKind, ...] = ("start", "interval", "end")
INDICATIONS = frozenset({"depression", "trd", "anxiety", "ptsd", "other"})
INTENTION = "{intention}"
MAX_INTENTION_CHARS = 200
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class ScriptError(ValueError):
    """A script file is malformed; `source` and `line` say where."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Speech:
    text: str
    # Neutral line used instead when `text` holds {intention} and none is to be spoken.
    fallback: str | None = None


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class FlexPause:
    min_s: float
    max_s: float
    weight: float = 1.0


@dataclass(frozen=True)
class Bell:
    kind: BellKind
    double: bool = False


Segment = Speech | Pause | FlexPause | Bell


@dataclass(frozen=True)
class MeditationScript:
    name: str  # file stem, stable id for records
    title: str
    description: str
    indications: frozenset[str]
    body: tuple[Segment, ...]
    closing: tuple[Segment, ...] = field(default=())

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self.body + self.closing

    def suits(self, indication: str) -> bool:
        return "all" in self.indications or indication in self.indications


def parse_script(text: str, source: str) -> MeditationScript:
    """Parse one script; `source` (usually the file name) is used in error messages."""
    headers: dict[str, tuple[str, int]] = {}
    body: list[Segment] = []
    closing: list[Segment] = []
    in_closing = False
    closing_line = 0
    pending_else = 0  # line number of a 'say' with {intention} still waiting for its 'else'
    last_speech_line = 0

    def fail(line_no: int, message: str) -> ScriptError:
        return ScriptError(source, line_no, message)

    def target() -> list[Segment]:
        return closing if in_closing else body

    for line_no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0] in " \t":  # continuation of the previous say/else text
            segs = target()
            if not segs or not isinstance(segs[-1], Speech) or last_speech_line == 0:
                raise fail(
                    line_no, "an indented line continues a 'say' or 'else' line; none precedes it"
                )
            prev = segs[-1]
            extra = raw.strip()
            if prev.fallback is not None:
                segs[-1] = replace(prev, fallback=f"{prev.fallback} {extra}")
            else:
                segs[-1] = _checked_speech(fail, line_no, f"{prev.text} {extra}")
                if INTENTION in segs[-1].text and not pending_else:
                    pending_else = line_no
            continue
        last_speech_line = 0
        word, _, rest = raw.strip().partition(" ")
        rest = rest.strip()
        if word.endswith(":"):
            key = word[:-1].lower()
            if key not in ("title", "description", "indications"):
                raise fail(
                    line_no, f"unknown header '{key}:'; allowed: title, description, indications"
                )
            if body or in_closing:
                raise fail(line_no, f"'{key}:' belongs at the top, before the first segment")
            if key in headers:
                raise fail(line_no, f"'{key}:' given twice (first on line {headers[key][1]})")
            headers[key] = (rest, line_no)
            continue
        if pending_else and word != "else":
            raise fail(pending_else, "a 'say' with {intention} must be followed by an 'else' line")
        if word == "say":
            speech = _checked_speech(fail, line_no, rest)
            target().append(speech)
            last_speech_line = line_no
            if INTENTION in speech.text:
                pending_else = line_no
        elif word == "else":
            segs = target()
            if not pending_else:
                raise fail(line_no, "'else' only follows a 'say' line containing {intention}")
            if not rest:
                raise fail(line_no, "'else' needs the neutral words to say")
            if _PLACEHOLDER.search(rest):
                raise fail(
                    line_no, "the 'else' line is spoken without an intention: no {placeholders}"
                )
            said = segs[-1]
            assert isinstance(said, Speech)  # pending_else is only set right after a 'say'
            segs[-1] = replace(said, fallback=" ".join(rest.split()))
            pending_else = 0
            last_speech_line = line_no
        elif word == "pause":
            seconds = _number(fail, line_no, rest, "pause")
            if not 0 < seconds <= 600:
                raise fail(
                    line_no, f"pause must be more than 0 and at most 600 seconds (got {rest})"
                )
            target().append(Pause(seconds))
        elif word == "flex":
            if in_closing:
                raise fail(
                    line_no, "'flex' is not allowed after 'closing' (the ending keeps exact timing)"
                )
            target().append(_flex(fail, line_no, rest))
        elif word == "bell":
            target().append(_bell(fail, line_no, rest))
        elif word == "closing":
            if rest:
                raise fail(line_no, "'closing' stands alone on its line")
            if in_closing:
                raise fail(line_no, f"'closing' given twice (first on line {closing_line})")
            in_closing, closing_line = True, line_no
        else:
            raise fail(
                line_no,
                f"unknown directive '{word}'; allowed: title:, description:, indications:, "
                "say, else, pause, flex, bell, closing (comments start with #)",
            )
    if pending_else:
        raise fail(pending_else, "a 'say' with {intention} must be followed by an 'else' line")
    title = headers.get("title", ("", 1))[0].strip()
    if not title:
        raise fail(1, "missing 'title:' header")
    if not any(isinstance(s, FlexPause) for s in body):
        raise fail(
            max(closing_line, 1),
            "needs at least one 'flex' pause before 'closing' to fit a chosen length",
        )
    if not any(isinstance(s, Speech) for s in body + closing):
        raise fail(1, "has nothing to say: add at least one 'say' line")
    return MeditationScript(
        name=Path(source).stem,
        title=title,
        description=headers.get("description", ("", 1))[0].strip(),
        indications=_indications(fail, *headers.get("indications", ("all", 1))),
        body=tuple(body),
        closing=tuple(closing),
    )


def load_scripts(folder: Path) -> list[MeditationScript]:
    """Parse every `*.txt` in `folder`, sorted by title. Raises the first ScriptError found."""
    scripts = []
    for path in sorted(folder.glob("*.txt")):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ScriptError(path.name, 1, f"not UTF-8 text ({exc.reason})") from exc
        scripts.append(parse_script(text, path.name))
    return sorted(scripts, key=lambda s: s.title.casefold())


def personalise(script: MeditationScript, intention: str | None) -> MeditationScript:
    """Resolve {intention}: speak it if given (the guide allowed it), else use the 'else' line."""
    spoken = " ".join((intention or "").split())[:MAX_INTENTION_CHARS].strip()
    # Braces would read as placeholders; a trailing full stop would double the script's own.
    spoken = spoken.replace("{", "").replace("}", "").rstrip(" .")

    def resolve(seg: Segment) -> Segment:
        if isinstance(seg, Speech) and seg.fallback is not None:
            return Speech(seg.text.replace(INTENTION, spoken)) if spoken else Speech(seg.fallback)
        return seg

    return replace(
        script,
        body=tuple(resolve(s) for s in script.body),
        closing=tuple(resolve(s) for s in script.closing),
    )


def speech_texts(script: MeditationScript) -> list[str]:
    """Unique spoken texts in order of first use (what must be rendered)."""
    seen: dict[str, None] = {}
    for seg in script.segments:
        if isinstance(seg, Speech):
            seen.setdefault(seg.text, None)
    return list(seen)


# -- helpers -----------------------------------------------------------------------------------


class _Fail(Protocol):
    def __call__(self, line_no: int, message: str) -> ScriptError: ...


def _checked_speech(fail: _Fail, line_no: int, text: str) -> Speech:
    text = " ".join(text.split())
    if not text:
        raise fail(line_no, "'say' needs the words to speak")
    for found in _PLACEHOLDER.findall(text):
        if found != INTENTION:
            raise fail(line_no, f"unknown placeholder {found}; the only one is {INTENTION}")
    return Speech(text)


def _number(fail: _Fail, line_no: int, text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise fail(
            line_no, f"{what} needs a number of seconds, e.g. '{what} 4' (got '{text}')"
        ) from None
    if not math.isfinite(value):
        raise fail(line_no, f"{what} needs a finite number of seconds (got '{text}')")
    return value


_FLEX = re.compile(r"^(\S+?)\s*\.\.\s*(\S+?)(?:\s+weight\s+(\S+))?$")


def _flex(fail: _Fail, line_no: int, text: str) -> FlexPause:
    match = _FLEX.match(text)
    if not match:
        raise fail(
            line_no,
            f"flex needs 'MIN..MAX' seconds and optionally 'weight W', e.g. 'flex 5..60 weight 2' (got '{text}')",
        )
    low = _number(fail, line_no, match[1], "flex")
    high = _number(fail, line_no, match[2], "flex")
    weight = _number(fail, line_no, match[3], "weight") if match[3] else 1.0
    if not 0 <= low <= high <= 3600:
        raise fail(line_no, f"flex needs 0 <= MIN <= MAX <= 3600 seconds (got {low:g}..{high:g})")
    if not 0 < weight <= 100:
        raise fail(line_no, f"weight must be more than 0 and at most 100 (got {weight:g})")
    return FlexPause(low, high, weight)


def _bell(fail: _Fail, line_no: int, text: str) -> Bell:
    parts = text.split()
    if not parts or parts[0] not in BELL_KINDS or parts[1:] not in ([], ["double"]):
        raise fail(
            line_no,
            f"bell needs a kind (start, interval or end) and optionally 'double' (got '{text}')",
        )
    kind: BellKind = (
        "start" if parts[0] == "start" else "interval" if parts[0] == "interval" else "end"
    )
    return Bell(kind, double=len(parts) == 2)


def _indications(fail: _Fail, text: str, line_no: int) -> frozenset[str]:
    items = {item.strip().lower() for item in text.split(",") if item.strip()}
    if not items or items == {"all"}:
        return frozenset({"all"})
    unknown = items - INDICATIONS
    if unknown:
        allowed = ", ".join(sorted(INDICATIONS))
        raise fail(
            line_no,
            f"unknown indication(s) {', '.join(sorted(unknown))}; allowed: all or {allowed}",
        )
    return frozenset(items)
