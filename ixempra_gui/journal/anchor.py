"""The anchor: the last head of the journal this user's app has seen, kept outside the journal.

Why: a journal file proves nothing about records that are no longer in it. Emptied, truncated,
replaced by another file, or moved away (``IXEMPRA_DATA_DIR`` pointed at an empty folder), it
looked like a new journal with 0 prior units. The anchor remembers the last head (record id and
hash) and the journal must still contain that very record; where the anchor says a journal held
records and there is none, that is an error too, never a new journal.

One file, ``journal-anchor.json``, in the app's settings folder (``$IXEMPRA_CONFIG_DIR``, else
the user's configuration folder: site_settings.config_dir), **not keyed by the journal's path**:
whichever journal this user's app opens must contain the anchored record. It is written
atomically, owner-only, by plain Python (no Qt): the CLIs keep it too. It only moves forward
(a lower head never replaces a higher one), except when a person starts a new journal
(``ixempra-journal init --new``). Whoever can write both the journal and this file can still
rebuild both: the anchor is evidence, not proof (see docs/journal-integrity.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ixempra_gui.system.private_files import ensure_private_folder, write_atomically
from ixempra_gui.system.site_settings import config_dir

ANCHOR_FILE = "journal-anchor.json"
ANCHOR_FORMAT = 1
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Head:
    """A chain's head: the last record's id and hash (0 and 64 zeros for an empty chain)."""

    id: int
    hash: str

    def shown(self) -> str:
        return f"record {self.id}, SHA-256 {self.hash}"


class AnchorUnreadable(Exception):
    """The anchor file exists but cannot be read as an anchor."""


def valid_head(record_id: object, digest: object) -> Head | None:
    """A head as an anchor keeps it (an id a journal can have, a SHA-256 in lowercase hex), or
    None: what was read is not one."""
    if (
        not isinstance(record_id, int)
        or isinstance(record_id, bool)
        or not 0 <= record_id < 2**63
        or not isinstance(digest, str)
        or not _HEX64.fullmatch(digest)
    ):
        return None
    return Head(record_id, digest)


@dataclass(frozen=True)
class AnchorFile:
    """Where the anchor is kept. ``AnchorFile.default()``: the settings folder."""

    path: Path

    @classmethod
    def default(cls) -> AnchorFile:
        return cls(config_dir() / ANCHOR_FILE)

    def read(self) -> Head | None:
        """The anchored head; None when no anchor was ever written. AnchorUnreadable when the
        file is there but is not an anchor (edited, truncated, not ours)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AnchorUnreadable(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            content = json.loads(data.decode("utf-8"))
            head = content["head"]
            found = valid_head(head["id"], head["hash"])
            if found is None:
                raise ValueError("bad head")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise AnchorUnreadable(f"{self.path} is not a journal anchor ({exc})") from exc
        return found

    def write(self, head: Head, journal: str, *, force: bool = False) -> bool:
        """Keep ``head`` (the journal's location is kept for people, never compared). Without
        ``force`` only a higher head replaces the one kept. True when written. OSError when it
        cannot be written."""
        if not force:
            try:
                kept = self.read()
            except AnchorUnreadable:
                kept = None
            if kept is not None and kept.id >= head.id:
                return False
        ensure_private_folder(self.path.parent)
        content = {
            "format": ANCHOR_FORMAT,
            "head": {"id": head.id, "hash": head.hash},
            "journal": journal,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "note": "The last journal head this user's ixempra-gui saw; see "
            "docs/journal-integrity.md. Do not edit.",
        }
        text = json.dumps(content, indent=1, sort_keys=True) + "\n"
        # The file is synced before its rename (never an empty anchor after a power cut); the
        # folder is not: losing the rename keeps the older head, which is still true.
        write_atomically(self.path, text.encode("utf-8"), durable_rename=False)
        return True
