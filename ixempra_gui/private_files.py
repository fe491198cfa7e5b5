"""Owner-only folders and files, written atomically. Qt-free: the journal, its anchor, exports
and the window's settings all use these.

Why: the journal, its anchor and the settings say what the app may trust. A folder the app
creates (each missing parent included) is 0700 and a file 0600 on POSIX; an existing folder keeps
its mode (it may be a shared parent chosen on purpose) but a group- or world-writable one is
reported, because anyone who can write it can replace what it holds. Files are replaced in one
step (temp file in the same folder, fsync, rename, fsync of the folder), so a reader never sees
half a file and a crash leaves the old one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_folder(folder: Path) -> None:
    """Create ``folder`` and every missing parent as 0700 (POSIX). Existing ones are left as
    they are (see ``writable_by_others``)."""
    if folder.is_dir():
        return
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            path.mkdir(mode=FOLDER_MODE)
            if os.name == "posix":
                os.chmod(path, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")


def writable_by_others(folder: Path) -> str | None:
    """A warning when ``folder`` exists and is writable by its group or by everyone (POSIX),
    else None. Sticky shared folders (/tmp) are reported too: anyone can add files there."""
    if os.name != "posix":
        return None
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError:
        return None
    if not mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    who = "everyone" if mode & stat.S_IWOTH else "its group"
    return (
        f"the folder {folder} is writable by {who} (mode {mode:04o}): another user could "
        f"replace what it holds; make it owner-only (chmod 700 '{folder}')"
    )


def make_private(path: Path) -> None:
    """chmod 0600 (POSIX); silently nothing where modes do not apply."""
    if os.name == "posix":
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path, FILE_MODE)


def write_atomically(
    path: Path, data: bytes, mode: int = FILE_MODE, *, durable_rename: bool = True
) -> None:
    """Replace ``path`` with ``data`` in one step; on any failure the old file is untouched and
    no temp file is left behind. The new file has ``mode`` (POSIX). ``durable_rename`` False:
    the folder is not synced, so a power cut may keep the old file (never half a file)."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable_rename:
        fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles for this)."""
    if os.name != "posix":
        return
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
