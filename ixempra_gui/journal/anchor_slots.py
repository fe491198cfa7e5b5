"""The workstation's anchor for a site journal (issue 14: "evidence only"), kept in two
checksummed slots written in place without a sync of their own.

Why: the anchor moves after every recorded dose, and the atomic, synced replacement of the
workstation's journal anchor (anchor.py) costs a disk flush per dose (about 0.6 ms, as much as
the server's own COMMIT). On a server the record's durability is the server's COMMIT; the
anchor only keeps evidence of the last head this workstation saw. So:

- one file, two slots (bytes 0-511 and 4096-4607: separate file-system blocks), each a line of
  JSON with the head and a SHA-256 of its own text; created once with a synced atomic write,
  then each move overwrites, in place and unsynced, the slot holding the older head;
- a slot fits in one 512-byte sector, which storage writes whole (the assumption PostgreSQL
  makes for its own control file); where that fails, the slot's checksum fails and it is not
  read, and the other slot — untouched by that write — still holds the previous head;
- a head is written only after the server committed it (or a check found it there), and the
  server never removes a record: every head either slot holds is one the journal must contain.
  A power cut that loses the last writes leaves an older head (still true: evidence of less,
  never a false "altered"); the old anchor's unsynced rename could lose its last write too;
- both slots unreadable is what an edit looks like: ``AnchorUnreadable``, as for the old file.

The old single-file anchor (``legacy``) is read while no slot file exists, and its head is
folded into the slot file when it is created. SQLite's anchor (anchor.py) is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head, valid_head
from ixempra_gui.system.private_files import ensure_private_folder, write_atomically

SLOT_FORMAT = 2
SLOT_SIZE = 512
SLOT_OFFSETS = (0, 4096)
FILE_SIZE = SLOT_OFFSETS[-1] + SLOT_SIZE
_JOURNAL_SHOWN = 200  # characters of the journal's location kept for people (never compared)


@dataclass(frozen=True)
class SlottedAnchor(AnchorFile):
    """A site journal's anchor (module docstring). ``path``: the slot file."""

    legacy: Path | None = None
    # The file's bytes as last read or written and the heads its slots hold: a record reads
    # the anchor before its round trip and again before its write; bytes equal to these are
    # not parsed and checksummed again (the file is still read each time: what another
    # process or person wrote is never missed).
    _parsed: dict[bytes, list[Head | None]] = field(default_factory=dict, compare=False, repr=False)

    def read(self) -> Head | None:
        """The higher head of the two slots; None when no anchor was ever written.
        AnchorUnreadable when the file is there but neither slot holds a head."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return AnchorFile(self.legacy).read() if self.legacy is not None else None
        except OSError as exc:
            raise AnchorUnreadable(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        heads = [h for h in self._slots(data) if h is not None]
        if not heads:
            raise AnchorUnreadable(f"{self.path} is not a journal anchor (no slot holds a head)")
        return max(heads, key=lambda h: h.id)

    def write(self, head: Head, journal: str, *, force: bool = False) -> bool:
        """Keep ``head``: only a higher one replaces the one kept, unless ``force`` (then both
        slots, synced). True when written. OSError when it cannot be written."""
        write = self.prepare(head, journal, force=force)
        return write is not None and write()

    def prepare(
        self, head: Head, journal: str, *, force: bool = False
    ) -> Callable[[], bool] | None:
        """``write``'s reading and choosing done now, its write when the result is called
        (the site journal prepares while the record's COMMIT travels and writes once it
        returned: a head is never written before the server holds it). None: nothing to
        write (a head as high is kept)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            data = None
        if data is None or len(data) != FILE_SIZE or force:
            fold = data is None and not force

            def create() -> bool:
                self._create(head, journal, fold_legacy=fold)
                return True

            return create
        slots = self._slots(data)
        kept = [h for h in slots if h is not None]
        if kept and max(h.id for h in kept) >= head.id:
            return None
        # Overwrite the slot that is unreadable or holds the older head: the other keeps the
        # newest head written so far, whatever happens to this write.
        ids = [-1 if h is None else h.id for h in slots]
        index = ids.index(min(ids))
        at, line = SLOT_OFFSETS[index], _slot_bytes(head, journal)
        written = data[:at] + line + data[at + SLOT_SIZE :]
        # What the file then holds, as _slots would read it (the line's checksum is its own).
        after = [valid_head(head.id, head.hash) if i == index else h for i, h in enumerate(slots)]

        def write_slot() -> bool:
            fd = os.open(self.path, os.O_WRONLY)
            try:
                os.pwrite(fd, line, at)
            finally:
                os.close(fd)
            self._remember(written, after)
            return True

        return write_slot

    def _create(self, head: Head, journal: str, *, fold_legacy: bool) -> None:
        """The slot file, both slots holding ``head`` (or the old anchor's, when higher),
        written atomically and synced: its blocks exist before any write in place."""
        if fold_legacy and self.legacy is not None:
            try:
                old = AnchorFile(self.legacy).read()
            except AnchorUnreadable:
                old = None
            if old is not None and old.id > head.id:
                head = old
        ensure_private_folder(self.path.parent)
        slot = _slot_bytes(head, journal)
        gap = SLOT_OFFSETS[1] - SLOT_SIZE
        write_atomically(self.path, slot + b" " * (gap - 1) + b"\n" + slot)

    def _slots(self, data: bytes) -> list[Head | None]:
        """The heads the slots of ``data`` hold (module docstring), parsed once per content."""
        known = self._parsed.get(data)
        if known is None:
            known = _slots(data)
            self._remember(data, known)
        return list(known)

    def _remember(self, data: bytes, slots: list[Head | None]) -> None:
        self._parsed.clear()
        self._parsed[data] = list(slots)


def _slot_bytes(head: Head, journal: str) -> bytes:
    """One slot: a JSON line with its own checksum, padded with spaces to SLOT_SIZE bytes."""
    body = {
        "format": SLOT_FORMAT,
        "head": {"id": head.id, "hash": head.hash},
        "journal": journal[:_JOURNAL_SHOWN],
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    body["check"] = hashlib.sha256(text.encode("ascii")).hexdigest()
    line = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")
    if len(line) >= SLOT_SIZE:  # a location of escaped characters: keep the head, not it
        return _slot_bytes(head, "")
    return line + b" " * (SLOT_SIZE - 1 - len(line)) + b"\n"


def _slots(data: bytes) -> list[Head | None]:
    return [_slot_head(data[at : at + SLOT_SIZE]) for at in SLOT_OFFSETS]


def _slot_head(raw: bytes) -> Head | None:
    """The head one slot holds; None when it is empty, torn or edited (its checksum fails)."""
    try:
        body = json.loads(raw.decode("ascii"))
        check = body.pop("check")
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        if body["format"] != SLOT_FORMAT or hashlib.sha256(text.encode("ascii")).hexdigest() != (
            check
        ):
            return None
        record_id, digest = body["head"]["id"], body["head"]["hash"]
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError):
        return None
    return valid_head(record_id, digest)
