"""Formatting shared by screens."""

from __future__ import annotations

from datetime import datetime


def local(dt: datetime) -> datetime:
    return dt.astimezone()


def hm(dt: datetime | None) -> str:
    return local(dt).strftime("%H:%M") if dt else ""


def ymd(dt: datetime | None) -> str:
    return local(dt).strftime("%Y-%m-%d") if dt else ""


def clock_text(seconds: float) -> str:
    """H:MM:SS or MM:SS for a non-negative duration."""
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"
