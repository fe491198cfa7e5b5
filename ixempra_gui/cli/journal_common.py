"""What every ``ixempra-journal`` command shares: its name, exit statuses and how it speaks on
standard error. Never imports Qt.
"""

from __future__ import annotations

import re
import sys

from ixempra_gui.cli.guard import EXIT_INTERNAL, EXIT_OUTPUT_CLOSED
from ixempra_gui.journal import paths
from ixempra_gui.system.private_files import writable_by_others
from ixempra_gui.system.site_settings import config_dir

PROG = "ixempra-journal"
EXIT_OK = 0
EXIT_JOURNAL = 1
EXIT_INVALID = 2
EXIT_NOT_READY = 3
EXIT_HISTORY = 4
EXIT_REFUSED_SCAN = 5  # prepare: a kit scan was refused (issue 16)
EXIT_STATUS_TEXT = (
    "Exit status: 0 done; 1 journal problem (cannot be read or written, altered — "
    "journal_altered —, no such record, an unreadable record); 2 invalid input; 3 no dose "
    "ready to prepare (prepare: kits still missing, a failed preparation, not a verified "
    "dose or already prepared; label: no complete preparation in time); 4 history warnings "
    "not acknowledged; 5 prepare: a kit scan was refused (kept as a near miss); "
    f"{EXIT_OUTPUT_CLOSED} output closed early (| head); {EXIT_INTERNAL} internal error; 130 "
    "interrupted."
)
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
MAX_ID = 2**63 - 1


def err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def note(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def folder_notes() -> None:
    """Warn when the journal's or the settings' folder (the anchor's) is writable by others."""
    for warning in (paths.folder_warning(), writable_by_others(config_dir())):
        if warning:
            note(warning if warning.startswith("warning:") else f"warning: {warning}")
