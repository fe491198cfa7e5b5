"""A serialised kit is used for one dose only (issue 16): a GTIN with a serial (AIs 01 + 21)
names one physical package, so a kit already in the preparation of another dose is a copied
barcode, a photocopied label or a used kit, and is refused (a near miss) naming where it went.

Kits without a serial cannot be told apart across doses (lots repeat): they are not compared
here. Preparations of the same dose (a remake, or one completed with its times) may hold the
same kits again. The stores run ``kit_uses_sqlite`` / ``KIT_USES_PG`` under the write lock, with
the drafts' serialised kits, and hand the preparation records found to a ``KitsCheck``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.kinds import PREPARATION
from ixempra_gui.journal.preparation_records import references

#: (GTIN, serial) of one physical kit.
SerialisedKit = tuple[str, str]
#: Called under the write lock with the preparation records (any patient) that hold a
#: serialised kit of the drafts; raises (``errors.RecordRefused``) to refuse.
KitsCheck = Callable[[Sequence[StoredRecord]], None]

# The preparation records whose content holds any of the needles (each serial as a JSON string,
# '"S45"'): a text search, so the write lock is not held while every preparation's content is
# parsed (measured: bench figures in the commit). It passes every record holding the kit, and
# ``serials_used`` then compares GTIN and serial exactly on the parsed content.
KIT_USES_PG: Final = f"""
SELECT r.id, r.hash, r.content FROM ixempra.records AS r
WHERE r.kind = '{PREPARATION}'
  AND EXISTS (SELECT 1 FROM unnest(%(kit_needles)s::text[]) AS n WHERE strpos(r.content, n) > 0)
ORDER BY r.id"""


def kit_uses_sqlite(needles: Sequence[str]) -> str:
    """The SQLite query for ``needles`` (one bound parameter each)."""
    found = " OR ".join(["instr(r.content, ?) > 0"] * len(needles))
    return (
        "SELECT r.id, r.hash, r.prev_hash, r.content FROM records AS r "
        f"WHERE r.kind = '{PREPARATION}' AND ({found}) ORDER BY r.id"
    )


def kit_serials(kits: object) -> list[SerialisedKit]:
    """The (GTIN, serial) of each serialised kit in a preparation's ``kits`` list."""
    found: list[SerialisedKit] = []
    for kit in kits if isinstance(kits, list) else []:
        if isinstance(kit, dict):
            gtin, serial = kit.get("gtin"), kit.get("serial")
            if isinstance(gtin, str) and isinstance(serial, str) and serial:
                found.append((gtin, serial))
    return found


def drafts_needles(drafts: Iterable[Mapping[str, Any]]) -> list[str]:
    """What the queries search for: each serial of the preparation drafts' serialised kits,
    as canonical JSON writes a string (empty: nothing to look for)."""
    serials = {
        serial
        for d in drafts
        if d.get("kind") == PREPARATION
        for _, serial in kit_serials(d.get("kits"))
    }
    return [json.dumps(serial) for serial in sorted(serials)]


def serials_used(dose: StoredRecord, records: Iterable[StoredRecord]) -> dict[SerialisedKit, str]:
    """Each serialised kit in a preparation of another dose than ``dose``, and where it was
    used ("dose record 1 (preparation record 2)"), the first use kept."""
    used: dict[SerialisedKit, str] = {}
    for record in records:
        if record.kind != PREPARATION or references(record.content, dose):
            continue
        where = f"preparation record {record.id}"
        ref = record.content.get("dose_record")
        if isinstance(ref, dict) and isinstance(ref.get("id"), int):
            where = f"dose record {ref['id']} ({where})"
        for pair in kit_serials(record.content.get("kits")):
            used.setdefault(pair, where)
    return used
