"""The last line of defence of both CLIs: no traceback ever reaches the user.

A reader that closes the pipe early (``ixempra-journal list | head``) ends the program quietly
with exit status 6 (what was done stays done: a record is committed before its id is printed);
Ctrl+C gives 130; anything unexpected is reported in one line (its kind and message, and that
it is a fault of the program) with exit status 7. Every input error is handled before this, by
the commands themselves, naming the field. Never imports Qt.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Protocol

EXIT_OUTPUT_CLOSED = 6
EXIT_INTERNAL = 7
EXIT_INTERRUPTED = 130


Main = Callable[[Sequence[str] | None], int]


class Guarded(Protocol):
    """A guarded ``main``: called with its arguments, or none (the command line)."""

    def __call__(self, argv: Sequence[str] | None = None) -> int: ...


def _silence_stdout() -> None:
    """Point stdout at the null device, so Python's own flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _say(prog: str, message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(f"{prog}: {message}", file=sys.stderr, flush=True)


def guarded(prog: str) -> Callable[[Main], Guarded]:
    """Wrap a CLI's ``main`` (module docstring)."""

    def wrap(main: Main) -> Guarded:
        def run(argv: Sequence[str] | None = None) -> int:
            try:
                code = main(argv)
                sys.stdout.flush()
                return code
            except BrokenPipeError:
                _silence_stdout()
                return EXIT_OUTPUT_CLOSED
            except KeyboardInterrupt:
                _say(prog, "interrupted")
                return EXIT_INTERRUPTED
            except RecursionError as exc:  # an Exception, but say plainly what happened
                _say(prog, f"internal error: {type(exc).__name__} (please report it)")
                return EXIT_INTERNAL
            except Exception as exc:
                text = str(exc)
                shown = text if len(text) <= 300 and text.isprintable() else ascii(text[:300])
                _say(
                    prog,
                    f"internal error: {type(exc).__name__}: {shown} (a fault of the program, "
                    "please report it; a record was stored only if its id was printed)",
                )
                return EXIT_INTERNAL

        functools.update_wrapper(run, main)
        return run

    return wrap
