"""Starting a new journal after the old one failed its checks (``ixempra-journal init --new``).

A person who has looked at what ``verify`` found gives the reason. Nothing is deleted: the old
file (with its ``-wal``) is renamed beside it, ``journal.archived-<UTC time>.sqlite3``, and the
new chain's first record holds the reason and what was known of the old journal (its archived
name, its last record as found, the anchor's head, the problem). The anchor then moves to the
new chain. An intact journal is refused: starting anew would hide its doses from the 21-day
limit, and the history says so for 21 days after a restart (``journal_restarted``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ixempra_gui.journal import paths
from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.entries import StoredRecord, journal_start_content
from ixempra_gui.journal.errors import JournalAltered, JournalError
from ixempra_gui.journal.identifiers import check_free_text
from ixempra_gui.journal.store import Journal
from ixempra_gui.journal.store_chain import DEFAULT_ANCHOR, AnchorChoice, choose_anchor
from ixempra_gui.system.private_files import fsync_folder

MAX_REASON_CHARS = 1000


class NothingToResolve(Exception):
    """The journal passes its checks (or there is none and never was): nothing to start anew."""


def reason_problem(reason: str) -> str | None:
    if not reason.strip():
        return "Reason: required (what was found, and who checked it)."
    return check_free_text("Reason", reason, max_chars=MAX_REASON_CHARS)


def _archive(path: Path) -> Path:
    """Rename the journal (and its -wal, -shm) to an archived name beside it. The WAL is folded
    into the file first when SQLite can, so the archive is one self-contained file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"journal.archived-{stamp}.sqlite3")
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
        try:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy and busy[0]:
                raise JournalError(
                    "another workstation or process is using the journal: close the window "
                    "and any ixempra program, then run this again"
                )
        finally:
            conn.close()
    # Sidecars first under the new name, the file last: a crash in between leaves no -wal
    # beside a new journal's name.
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    os.replace(path, target)
    fsync_folder(path.parent)
    return target


def _archive_broken(
    path: Path, folder: Path | None, anchor_file: AnchorFile | None, previous: dict[str, Any]
) -> None:
    """Check the journal once more (NothingToResolve when it holds), note what it held and
    why it fails, and archive it."""
    anchor_problem = previous["problem"]
    try:
        journal = Journal.open_read_only(folder, anchor=anchor_file)
        assert journal is not None
        with journal:
            report = journal.verify()
            count, last = journal.count_and_last()
            found = journal.record_hash(last) if last else None
        previous["records"] = count
        if found is not None:
            previous["last_record"] = {"id": last, "hash": found[0]}
        if report.ok and anchor_problem is None:
            raise NothingToResolve(
                f"the journal at {path} holds ({report.records} records, head "
                f"{report.head.hash}): there is nothing to resolve"
            )
        previous["problem"] = previous["problem"] or report.problem
    except (JournalError, JournalAltered) as exc:
        previous["problem"] = str(exc)
    previous["archived_as"] = str(_archive(path))


def _set_aside_orphans(path: Path, anchored: Head | None, previous: dict[str, Any]) -> None:
    """No journal file: NothingToResolve unless the anchor (or its problem) says there was
    one; the stray sidecars are renamed, never attached to the new file."""
    if (anchored is None or anchored.id == 0) and previous["problem"] is None:
        raise NothingToResolve(
            f"there is no journal at {path} and none was seen here: the first record creates one"
        )
    previous["problem"] = previous["problem"] or (
        "no journal file" + (f" (the anchor says record {anchored.id})" if anchored else "")
    )
    for suffix in ("-wal", "-shm"):  # stray sidecars must not attach to the new file
        side = path.with_name(path.name + suffix)
        if side.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            os.replace(side, path.with_name(f"journal.orphan-{stamp}.sqlite3{suffix}"))


def start_new_journal(
    reason: str, folder: Path | None = None, *, anchor: AnchorChoice = DEFAULT_ANCHOR
) -> tuple[StoredRecord, dict[str, Any]]:
    """Archive the journal that fails its checks and start a new chain (module docstring).

    Returns the new first record and what was recorded of the old journal. NothingToResolve
    when the journal holds; ValueError for an unusable reason; JournalError when the old file
    cannot be archived or the new one written."""
    problem = reason_problem(reason)
    if problem:
        raise ValueError(problem)
    path = paths.journal_path(folder)
    anchor_file = choose_anchor(anchor)
    try:
        anchored = anchor_file.read() if anchor_file is not None else None
        anchor_problem = None
    except AnchorUnreadable as exc:
        anchored, anchor_problem = None, str(exc)
    previous: dict[str, Any] = {
        "path": str(path),
        "archived_as": None,
        "last_record": None,
        "records": None,
        "anchor": None if anchored is None else {"id": anchored.id, "hash": anchored.hash},
        "problem": anchor_problem,
    }
    if path.exists():
        _archive_broken(path, folder, anchor_file, previous)
    else:
        _set_aside_orphans(path, anchored, previous)
    content = journal_start_content(reason.strip(), previous)
    with Journal.open(folder, anchor=None) as journal:
        journal.anchor = anchor_file
        stored = journal.start_chain(content)
        warnings = list(journal.warnings)
    previous["warnings"] = warnings
    return stored, previous
