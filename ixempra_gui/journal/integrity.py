"""Whether a journal may be trusted, checked the same way for any back end (``ChainSource``).

On every open (cheap): the number of records, the highest id and the head agree; the last record
still hashes to the head; the anchored record (anchor.py) is still there, unchanged. Then the
chain walk: in full the first time a process opens a journal, after that only the records added
since the last walk in this process, once the record it ended at is found unchanged (the
window's session: a few records instead of all). Any break makes the whole journal untrusted:
the history shows no figure (``journal_altered``) and nothing is recorded until a person
resolves it (``ixempra-journal init --new`` for a workstation's file; IT for the site journal).
docs/journal-integrity.md lists which tampering only the full walk finds.

Both back ends use it: the SQLite file (``store.Journal``) and the site journal on PostgreSQL
(``postgres.store``), whose first check of a process starts at the server's head
(``walk_all_at_start=False``: the server refuses every change to a record, and walking every
record over the network at each start would cost seconds) and whose checks within a session
leave the count to the open (``count_and_last`` gives None).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ixempra_gui.journal.anchor import Head
from ixempra_gui.journal.chain import GENESIS, ChainReport

RESOLVE = (
    "Keep the file for audit; run ixempra-journal verify to see the first bad record; a "
    "person who has checked it starts a new journal with ixempra-journal init --new --reason "
    "TEXT (the old file is archived, nothing is deleted)."
)


class ChainSource(Protocol):
    """What a journal back end tells the integrity checks."""

    @property
    def location(self) -> str:
        """The journal, for messages and this process's memory of walks (a path, a server)."""
        ...

    def stored_head(self) -> Head | None:
        """The head the journal keeps beside its records (None: none kept)."""
        ...

    def count_and_last(self) -> tuple[int | None, int]:
        """How many records there are, and the highest id (0 when none). The count may be None
        where counting costs a read of the whole table (a server journal between its checks on
        open): then only the highest id is compared with the head."""
        ...

    def record_hash(self, record_id: int) -> tuple[str, str | None] | None:
        """(stored hash, hash of its content as stored now) of one record; None: no such record."""
        ...

    def walk_from(self, start: Head, head: Head | None) -> ChainReport:
        """Walk the records after ``start`` (already walked) and compare the end with ``head``."""
        ...

    def find_hash(self, digest: str) -> int | None:
        """The id of the record with this hash, if any."""
        ...


@dataclass(frozen=True)
class IntegrityReport:
    """The outcome of the checks: the chain's figures, and the first problem if any."""

    records: int
    head: Head
    first_bad_id: int | None = None
    problem: str | None = None
    full_walk: bool = True
    reference: str = ""  # what the head was checked against (the anchor, an expected head)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def head_id(self) -> int:
        return self.head.id

    @property
    def head_hash(self) -> str:
        return self.head.hash


# This process's memory: the last record walked in each journal (see the module docstring),
# and the records whose figures it has read, per patient key (id → hash, administration date).
_WALKED: dict[str, Head] = {}
_SEEN: dict[str, dict[str, dict[int, tuple[str, str | None]]]] = {}


def forget_walks() -> None:
    """Forget every walk and every record read (as a new process would): the next open walks
    in full."""
    _WALKED.clear()
    _SEEN.clear()


def forget_journal(location: str) -> None:
    """Forget one journal (a new chain was started there: its ids are another chain's)."""
    _WALKED.pop(location, None)
    _SEEN.pop(location, None)


def remember_walk(location: str, head: Head) -> None:
    _WALKED[location] = head


def walked_head(location: str) -> Head | None:
    """The record this process's last walk of this journal ended at (None: not walked)."""
    return _WALKED.get(location)


def remember_read(location: str, key: str, records: Mapping[int, tuple[str, str | None]]) -> None:
    """The records of one patient this process counted or showed: records are never changed,
    so each one read again must be the same (``seen``), or the journal was altered in this
    session (an edit the incremental walk cannot see)."""
    _SEEN.setdefault(location, {}).setdefault(key, {}).update(records)


def seen(location: str, key: str) -> dict[int, tuple[str, str | None]]:
    return dict(_SEEN.get(location, {}).get(key, {}))


def _unchanged(source: ChainSource, head: Head) -> bool:
    """The record ``head`` names is there, with that hash, and its content still gives it."""
    if head.id == 0:
        return head.hash == GENESIS.hash
    found = source.record_hash(head.id)
    return found is not None and found[0] == head.hash and found[1] == head.hash


def anchor_problem(source: ChainSource, anchor: Head, last: int) -> tuple[int, str] | None:
    if anchor.id == 0:
        return None
    if anchor.id > last:
        return last + 1, (
            f"record {last + 1}: the journal ends at record {last}, but this workstation saw "
            f"it hold record {anchor.id} (anchor {anchor.hash[:12]}…): records were removed, or "
            "the journal was emptied or replaced"
        )
    found = source.record_hash(anchor.id)
    if found is None or found[0] != anchor.hash:
        return anchor.id, (
            f"record {anchor.id} is not the record this workstation saw (anchor "
            f"{anchor.hash[:12]}…): the journal was replaced or its chain rebuilt"
        )
    if found[1] != anchor.hash:
        return anchor.id, f"record {anchor.id}: its content does not match its hash (edited?)"
    return None


def _against_reference(
    source: ChainSource,
    report: ChainReport,
    anchor: Head | None,
    expected_hash: str | None,
    count: int,
    last: int,
) -> tuple[ChainReport, str]:
    """A chain that holds, checked against the head kept elsewhere (``expected_hash``) or
    this workstation's anchor; the report (broken when the reference is not in it) and what
    it was checked against."""
    if not report.ok:
        return report, ""
    if expected_hash is not None:
        reference = f"the expected head {expected_hash[:12]}…"
        found = source.find_hash(expected_hash)
        if found is None:
            report = ChainReport(
                count,
                report.head_id,
                report.head_hash,
                last + 1 if last else 1,
                f"the journal does not contain the expected head {expected_hash}: records were "
                "removed or rewritten since it was kept (or it is another journal)",
            )
        elif found != report.head_id:
            reference += f" (record {found}; {report.head_id - found} records added since)"
        return report, reference
    if anchor is None:
        return report, ""
    problem = anchor_problem(source, anchor, last)
    if problem is not None:
        report = ChainReport(count, report.head_id, report.head_hash, *problem)
    return report, f"the anchor (record {anchor.id})"


def _walk_start(
    source: ChainSource, stored: Head, count: int, last: int, *, full: bool, walk_all: bool
) -> Head:
    """Where this check's walk starts: where this process's last walk ended when that record is
    unchanged (or, ``walk_all`` False, the stored head at a first check), else the genesis."""
    walked = None if full else _WALKED.get(source.location)
    if (
        walked is None
        and not full
        and not walk_all
        and stored.id > 0
        and count == last == stored.id
        and _unchanged(source, stored)
    ):
        walked = stored
    if (
        walked is not None
        and walked.id <= last
        and count == last == stored.id
        and _unchanged(source, walked)
    ):
        return walked
    return GENESIS


def check(
    source: ChainSource,
    *,
    anchor: Head | None = None,
    expected_hash: str | None = None,
    full: bool = False,
    walk_all_at_start: bool = True,
) -> IntegrityReport:
    """Run the checks (module docstring) and remember the walk when the journal holds.

    ``anchor``: the anchored head (None: none kept). ``expected_hash``: a head kept elsewhere
    (``verify --expect-head``), checked instead of the anchor. ``full``: walk everything even
    when this process walked it before (``verify``). ``walk_all_at_start`` False: a process's
    first check starts at the stored head, once that record is found unchanged, instead of
    walking the whole chain — for a server journal, whose server refuses every change to a
    record and extends the chain itself; its full walk is ``verify``
    (docs/journal-integrity.md, "The site journal")."""
    counted, last = source.count_and_last()
    count = last if counted is None else counted
    stored = source.stored_head() or GENESIS
    start = _walk_start(source, stored, count, last, full=full, walk_all=walk_all_at_start)
    was_walked = _WALKED.get(source.location)
    report = source.walk_from(start, stored)
    full_walk = start == GENESIS
    if report.ok and not (count == last == stored.id == report.head_id):
        # The walk held but the ids are not 1..n (a gap the walk could not see): say so.
        report = ChainReport(
            count, report.head_id, report.head_hash, last, f"record ids are not 1 to {count}"
        )
    report, reference = _against_reference(source, report, anchor, expected_hash, count, last)
    if report.ok:
        if was_walked is not None and not _unchanged(source, was_walked):
            # Another chain now holds (a journal started anew, and anchored): what this
            # process read of the old one says nothing of it.
            _SEEN.pop(source.location, None)
        remember_walk(source.location, report.head)
    else:
        _WALKED.pop(source.location, None)
    return IntegrityReport(
        records=report.records if report.ok else count,
        head=report.head,
        first_bad_id=report.first_bad_id,
        problem=report.problem,
        full_walk=full_walk,
        reference=reference,
    )
