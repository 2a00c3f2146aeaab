"""Work that must not stall the GUI thread: a plain daemon thread whose outcome is a Future.

Daemon threads: closing the app never waits for them. Callers poll `future.done()` from a GUI
timer (or use `future.add_done_callback` with a queued signal), so no Qt object crosses threads.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def in_background(
    fn: Callable[[], T], name: str = "background", into: Future[T] | None = None
) -> Future[T]:
    """`fn()` on a daemon thread; its result or exception in the returned Future (`into`, when
    the caller had to hand the Future out before starting the work)."""
    future: Future[T] = into if into is not None else Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to the GUI thread through future.result()
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


def preload(*modules: str) -> Future[None]:
    """Import heavy modules off the GUI thread so the first screen that needs them opens at once.

    Python's per-module import lock makes a later `import` on the GUI thread wait for a preload
    in progress rather than import twice. A failure is logged, and the GUI thread's own import
    raises it again where it can be shown.
    """

    def run() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception as exc:
                log.warning("preloading %s failed: %s", name, type(exc).__name__)

    return in_background(run, name="preload")
