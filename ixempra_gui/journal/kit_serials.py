"""A serialised kit is used for one dose only (issue 16): a GTIN with a serial (AIs 01 + 21)
names one physical package, so a kit already in the preparation of another dose is a copied
barcode, a photocopied label or a used kit, and is refused (a near miss) naming where it went.

Kits without a serial cannot be told apart across doses (lots repeat): they are not compared
here. Preparations of the same dose (a remake, or one completed with its times) may hold the
same kits again. The stores run ``KIT_USES_SQLITE`` / ``KIT_USES_PG`` under the write lock, with
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

# The preparation records holding any of the kits in the JSON array bound as the parameter
# ([[gtin, serial], ...]): SQLite's JSON1 table functions, PostgreSQL's jsonb ones.
KIT_USES_SQLITE: Final = f"""
SELECT r.id, r.hash, r.prev_hash, r.content FROM records AS r
WHERE r.kind = '{PREPARATION}' AND EXISTS (
    SELECT 1 FROM json_each(r.content, '$.kits') AS k, json_each(?) AS p
    WHERE json_extract(k.value, '$.gtin') = json_extract(p.value, '$[0]')
      AND json_extract(k.value, '$.serial') = json_extract(p.value, '$[1]'))
ORDER BY r.id"""
KIT_USES_PG: Final = f"""
SELECT r.id, r.hash, r.content FROM ixempra.records AS r
WHERE r.kind = '{PREPARATION}' AND EXISTS (
    SELECT 1
    FROM jsonb_array_elements(CASE jsonb_typeof(r.content::jsonb -> 'kits')
             WHEN 'array' THEN r.content::jsonb -> 'kits' ELSE '[]'::jsonb END) AS k(kit),
         jsonb_array_elements(%(kit_serials)s::jsonb) AS p(pair)
    WHERE k.kit ->> 'gtin' = p.pair ->> 0 AND k.kit ->> 'serial' = p.pair ->> 1)
ORDER BY r.id"""


def kit_serials(kits: object) -> list[SerialisedKit]:
    """The (GTIN, serial) of each serialised kit in a preparation's ``kits`` list."""
    found: list[SerialisedKit] = []
    for kit in kits if isinstance(kits, list) else []:
        if isinstance(kit, dict):
            gtin, serial = kit.get("gtin"), kit.get("serial")
            if isinstance(gtin, str) and isinstance(serial, str) and serial:
                found.append((gtin, serial))
    return found


def drafts_serials(drafts: Iterable[Mapping[str, Any]]) -> str | None:
    """The serialised kits of the preparation drafts as the queries' JSON parameter (None:
    none to look for)."""
    pairs = sorted(
        {pair for d in drafts if d.get("kind") == PREPARATION for pair in kit_serials(d["kits"])}
    )
    return json.dumps(pairs) if pairs else None


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
