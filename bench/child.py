"""Entry point of benchmark child processes: `python -m bench.child NAME [ARGS]`.

Each child prints exactly one JSON line, last. Imports are lazy so the start-up children pay only
for what they measure.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    name, args = argv[0], argv[1:]
    if name == "startup_bare":
        from bench.figures.startup import bare_child

        bare_child()
    elif name == "startup_app":
        from bench.figures.startup import app_child

        app_child(args)
    elif name == "stall":
        from bench.figures.stall import child as stall_child

        stall_child(args)
    elif name == "centering":
        from bench.figures.centering import child as centering_child

        centering_child(args)
    elif name == "memory":
        from bench.figures.memory import child as memory_child

        memory_child(args)
    else:
        raise SystemExit(f"unknown bench child {name!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
