"""Where the journal lives, and creating its folder and file owner-only.

One file, ``journal.sqlite3``, in the folder named by ``IXEMPRA_DATA_DIR`` or else the user data
folder from platformdirs (Linux ``~/.local/share/ixempra-gui``, Windows
``%LOCALAPPDATA%\\ixempra-gui``, macOS ``~/Library/Application Support/ixempra-gui``): local, not
roaming, because SQLite must not live on a network share.
"""

from __future__ import annotations

import os
from pathlib import Path

from ixempra_gui import private_files

ENV_DATA_DIR = "IXEMPRA_DATA_DIR"
APP_DIR_NAME = "ixempra-gui"
JOURNAL_FILE = "journal.sqlite3"
FILE_MODE = private_files.FILE_MODE


def data_dir() -> Path:
    """The journal's folder: ``$IXEMPRA_DATA_DIR`` when set and not empty, else platformdirs."""
    configured = os.environ.get(ENV_DATA_DIR, "").strip()
    if configured:
        return Path(configured).expanduser()
    import platformdirs  # only here: a journal in IXEMPRA_DATA_DIR does not need it

    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))


def journal_path(folder: Path | None = None) -> Path:
    return (folder if folder is not None else data_dir()) / JOURNAL_FILE


def ensure_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parent as 0700 (private_files.ensure_private_folder)."""
    private_files.ensure_private_folder(folder)


def folder_warning(folder: Path | None = None) -> str | None:
    """A warning when the journal's folder is writable by other users (None when it is not)."""
    problem = private_files.writable_by_others(folder or data_dir())
    return f"warning: {problem}" if problem else None


def ensure_private_file(path: Path) -> None:
    """Create the journal file empty and 0600 before SQLite opens it (SQLite would use the
    umask, and gives its -wal and -shm files the mode of the database file)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        if os.name == "posix":
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
