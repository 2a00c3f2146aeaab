"""Running a service call from the UI and telling the user what went wrong, in their terms."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QMessageBox, QWidget

from companion.errors import FieldError, NotAllowedNow, PermissionDenied
from companion.storage.errors import StorageError

log = logging.getLogger(__name__)
T = TypeVar("T")


class ActionFailed(Exception):
    """Raised after the user has been told; callers just stop."""


def attempt(parent: QWidget | None, what: str, call: Callable[[], T]) -> T:
    """Run `call`; a refusal the user can act on is shown in a dialog and raises ActionFailed.

    FieldError is re-raised untouched so forms can show it at the field.
    """
    try:
        return call()
    except FieldError:
        raise
    except PermissionDenied as exc:
        _show(parent, "Not permitted", str(exc))
    except NotAllowedNow as exc:
        _show(parent, "Not possible now", str(exc))
    except StorageError as exc:
        log.warning("storage fault during %s: %s", what, type(exc).__name__)
        _show(parent, "Could not save", f"{exc.problem}\n\n{exc.what_to_do}")
    raise ActionFailed(what)


def _show(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("action_refused")
    box.exec()
