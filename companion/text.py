"""Text helpers shared by validation and search."""

from __future__ import annotations

import unicodedata

from companion.errors import FieldError


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for searching ("Zoë" and "zoe" match)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def clean_text(
    field: str, value: str, *, max_len: int, required: bool, multiline: bool = False
) -> str:
    """Trim and check free text; refuse control characters and over-long input."""
    value = unicodedata.normalize("NFC", value).strip()
    if required and not value:
        raise FieldError(field, "This is required.")
    if len(value) > max_len:
        raise FieldError(field, f"Too long: at most {max_len} characters (got {len(value)}).")
    allowed = {"\n", "\t"} if multiline else set()
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in allowed:
            raise FieldError(
                field, "Contains a control or unprintable character; please retype it."
            )
    return value
