"""Errors the UI shows to the user (as opposed to bugs)."""

from __future__ import annotations


class FieldError(ValueError):
    """Input refused at a field, with a message saying what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PermissionDenied(Exception):
    """The acting staff member's role does not allow this action."""


class NotAllowedNow(Exception):
    """The action is valid in general but not in the current state (e.g. a signed note)."""
