"""Helpers for tests that need real environment faults."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def read_only_dir(path: Path) -> Iterator[Path]:
    """Make `path` unwritable for this process, even when the tests run as root.

    Root ignores permission bits, so as root the folder is made immutable (chattr +i), which the
    kernel enforces for everyone.
    """
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield path
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
