"""The tamper matrix (issue 13, "Done when"): delete, edit, reorder, forge, truncate and empty,
each done in place and with the chain and the head rebuilt as the app would (plus the journal
missing, and replaced by another), and which check catches each one.

Patient P has three 75-unit doses in the 21 days before DAY0: 225 prior units. Whatever was
done, the history either counts at least those 225 units or claims no figure at all
(``journal_altered``, null): no case lowers the 21-day count silently.

Columns:
- verify: ``ixempra-journal verify`` (a new process: full walk, then the anchor);
- expect_head: ``ixempra-journal verify --expect-head H``, H the head printed before tampering;
- anchor: the anchor alone (the anchored record is still there and unchanged);
- history: the history read by a new process (``ixempra-calc --patient-id``, the first read of
  a window session): checks on open, full walk, each counted record's hash;
- session: the history read again by a process that had already read P's history before the
  tampering (the window during a session: incremental walk + the records it read).
docs/journal-integrity.md explains the one case nothing local catches (a forged record appended
with its link and head rebuilt): that needs the shared server journal (issue 14).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from journal_support import DAY0, new_record, raw

from ixempra_gui.cli import journal as journal_cli
from ixempra_gui.journal import integrity
from ixempra_gui.journal.anchor import AnchorFile
from ixempra_gui.journal.chain import GENESIS_HASH, canonical_json, content_hash
from ixempra_gui.journal.errors import JournalAltered
from ixempra_gui.journal.store import Journal, history_for

PRIOR = 225  # P's units in the window before DAY0
# Record 2, 4 and 6 are P's doses (15, 10 and 5 days before DAY0); the others other patients'.
LAYOUT = [("Q", 30), ("P", 15), ("R", 12), ("P", 10), ("S", 8), ("P", 5), ("T", 2)]


def _build(folder: Path) -> str:
    """The journal of LAYOUT; returns its head hash (what a site keeps elsewhere)."""
    with Journal.open(folder) as journal:
        for patient, days in LAYOUT:
            stored = journal.record(
                new_record(patient, DAY0 - timedelta(days=days)), acknowledge_history=True
            )
    return stored.hash


def _contents(conn: sqlite3.Connection) -> list[dict]:
    return [json.loads(t) for (t,) in conn.execute("SELECT content FROM records ORDER BY id")]


def _rebuild(conn: sqlite3.Connection, contents: list[dict]) -> None:
    """Rewrite the records as 1..n, each hashed and linked as the app does, and the head."""
    conn.execute("BEGIN")
    conn.execute("DELETE FROM records")
    prev = GENESIS_HASH
    for i, content in enumerate(contents, 1):
        text = canonical_json(dict(content, id=i, prev_hash=prev))
        prev = content_hash(text)
        conn.execute("INSERT INTO records (id, hash, content) VALUES (?, ?, ?)", (i, prev, text))
    if contents:
        head = json.dumps({"id": len(contents), "hash": prev})
        conn.execute("UPDATE meta SET value = ? WHERE key = 'head'", (head,))
    else:
        conn.execute("DELETE FROM meta WHERE key = 'head'")
    conn.execute("COMMIT")


def _moved(content: dict) -> dict:
    """P's dose of 10 days before moved 40 days before: out of the window."""
    return dict(content, administered_on=(DAY0 - timedelta(days=40)).isoformat())


def delete(conn: sqlite3.Connection, rebuilt: bool) -> None:
    if rebuilt:
        _rebuild(conn, [c for c in _contents(conn) if c["id"] != 4])
    else:
        conn.execute("DELETE FROM records WHERE id = 4")


def edit(conn: sqlite3.Connection, rebuilt: bool) -> None:
    if rebuilt:
        _rebuild(conn, [_moved(c) if c["id"] == 4 else c for c in _contents(conn)])
    else:
        (text,) = conn.execute("SELECT content FROM records WHERE id = 4").fetchone()
        conn.execute(
            "UPDATE records SET content = ? WHERE id = 4",
            (canonical_json(_moved(json.loads(text))),),
        )


def reorder(conn: sqlite3.Connection, rebuilt: bool) -> None:
    contents = _contents(conn)
    if rebuilt:
        contents[3], contents[4] = contents[4], contents[3]
        _rebuild(conn, contents)
    else:
        rows = {
            rid: (digest, text)
            for rid, digest, text in conn.execute(
                "SELECT id, hash, content FROM records WHERE id IN (4, 5)"
            )
        }
        for rid, other in ((4, 5), (5, 4)):
            conn.execute(
                "UPDATE records SET hash = ?, content = ? WHERE id = ?", (*rows[other], rid)
            )


def forge(conn: sqlite3.Connection, rebuilt: bool) -> None:
    """A dose never verified in the app, appended for patient F, linked to the last record."""
    last = _contents(conn)[-1]
    (prev,) = conn.execute("SELECT hash FROM records WHERE id = 7").fetchone()
    text = canonical_json(dict(last, id=8, prev_hash=prev, patient_id="F", patient_key="f"))
    digest = content_hash(text)
    conn.execute("INSERT INTO records (id, hash, content) VALUES (8, ?, ?)", (digest, text))
    if rebuilt:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'head'", (json.dumps({"id": 8, "hash": digest}),)
        )


def forge_reference(conn: sqlite3.Connection, rebuilt: bool) -> None:
    """Issue 16: a preparation of P's dose (record 4) appended, linked to the last record, whose
    dose reference is forged (another hash): it would make the dose look prepared and its kits
    the lots of a recall. Never counted; found by verify's reference pass."""
    (prev,) = conn.execute("SELECT hash FROM records WHERE id = 7").fetchone()
    content = {
        "format": 1,
        "kind": "preparation",
        "status": "prepared",
        "patient_id": "P",
        "patient_key": "p",
        "dose_record": {"id": 4, "hash": "e" * 64, "administered_on": "2025-02-19"},
        "compounded_by": "X",
        "kits": [{"strength_mg": 45, "lot": "FORGED"}],
        "id": 8,
        "prev_hash": prev,
        "recorded_at": "2025-03-01T10:00:00+00:00",
    }
    text = canonical_json(content)
    digest = content_hash(text)
    conn.execute("INSERT INTO records (id, hash, content) VALUES (8, ?, ?)", (digest, text))
    if rebuilt:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'head'", (json.dumps({"id": 8, "hash": digest}),)
        )


def truncate(conn: sqlite3.Connection, rebuilt: bool) -> None:
    conn.execute("DELETE FROM records WHERE id IN (6, 7)")
    if rebuilt:
        (digest,) = conn.execute("SELECT hash FROM records WHERE id = 5").fetchone()
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'head'", (json.dumps({"id": 5, "hash": digest}),)
        )


def empty(conn: sqlite3.Connection, rebuilt: bool) -> None:
    if rebuilt:
        _rebuild(conn, [])
    else:
        conn.execute("DELETE FROM records")


def _remove_files(folder: Path) -> None:
    for path in folder.glob("journal.sqlite3*"):
        path.unlink()


def missing(folder: Path) -> None:
    _remove_files(folder)


def replaced(folder: Path) -> None:
    """Another journal, made by the app itself, in its place (a fresh file, one dose)."""
    _remove_files(folder)
    with Journal.open(folder, anchor=None) as journal:
        journal.record(new_record("Z", DAY0 - timedelta(days=1)))


Y, N = True, False
# (tampering, done on the file or on the folder, rebuilt) → verify, expect_head, anchor,
# history, session
MATRIX: list[tuple[str, Callable, bool, tuple[bool, bool, bool, bool, bool]]] = [
    ("delete", delete, N, (Y, Y, N, Y, Y)),
    ("delete", delete, Y, (Y, Y, Y, Y, Y)),
    ("edit", edit, N, (Y, Y, N, Y, Y)),
    ("edit", edit, Y, (Y, Y, Y, Y, Y)),
    ("reorder", reorder, N, (Y, Y, N, Y, Y)),
    ("reorder", reorder, Y, (Y, Y, Y, Y, Y)),
    ("forge", forge, N, (Y, Y, N, Y, Y)),
    # A forged record appended with its link and the head rebuilt is a valid extension of the
    # chain: nothing local can tell it from a real one (it adds units; it never removes any).
    ("forge", forge, Y, (N, N, N, N, N)),
    # Issue 16: a preparation naming its dose by a forged hash. Never counted (the history holds
    # its 225 units); verify's reference pass names it, with or without an expected head.
    ("forge-reference", forge_reference, N, (Y, Y, N, Y, Y)),
    ("forge-reference", forge_reference, Y, (Y, Y, N, N, N)),
    ("truncate", truncate, N, (Y, Y, Y, Y, Y)),
    ("truncate", truncate, Y, (Y, Y, Y, Y, Y)),
    ("empty", empty, N, (Y, Y, Y, Y, Y)),
    ("empty", empty, Y, (Y, Y, Y, Y, Y)),
    ("missing", missing, Y, (Y, Y, Y, Y, Y)),
    ("replaced", replaced, Y, (Y, Y, Y, Y, Y)),
]
FOLDER_CASES = {"missing", "replaced"}


def _history(folder: Path):
    history = history_for("P", new_record("P").result, DAY0, folder)
    assert history is not None
    return history


def _detected(history) -> bool:
    """True when the history says the journal was altered (no figure); else the count must
    not have gone down."""
    codes = {w.code for w in history.warnings}
    if "journal_altered" in codes:
        assert (history.prior_units_21d, history.within_limit) == (None, None)
        return True
    assert history.prior_units_21d >= PRIOR, "the 21-day count was lowered silently"
    return False


def _cli_verify(args: list[str], capsys: pytest.CaptureFixture[str]) -> bool:
    integrity.forget_walks()  # a new process
    code = journal_cli.main(["verify", *args])
    capsys.readouterr()
    return code != 0


@pytest.mark.parametrize(
    ("what", "tamper", "rebuilt", "expected"),
    MATRIX,
    ids=[f"{m[0]}-{'rebuilt' if m[2] else 'in-place'}" for m in MATRIX],
)
def test_tamper_matrix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    what: str,
    tamper: Callable,
    rebuilt: bool,
    expected: tuple[bool, bool, bool, bool, bool],
) -> None:
    folder = tmp_path / "data"
    monkeypatch.setenv("IXEMPRA_DATA_DIR", str(folder))
    kept_head = _build(folder)
    anchor = AnchorFile.default()
    anchored = anchor.read()
    assert anchored is not None and (anchored.id, anchored.hash) == (7, kept_head)

    integrity.forget_walks()  # the window starts: its first read walks in full
    before = _history(folder)
    assert before.prior_units_21d == PRIOR and before.window_record_ids == (2, 4, 6)

    if what in FOLDER_CASES:
        tamper(folder)
    else:
        conn = raw(folder)
        tamper(conn, rebuilt)
        conn.close()

    session = _detected(_history(folder))  # the same process reads P's history again
    integrity.forget_walks()
    history = _detected(_history(folder))  # a new process
    verify = _cli_verify([], capsys)
    expect_head = _cli_verify(["--expect-head", kept_head], capsys)
    journal = Journal.open_read_only(folder)
    if journal is None:
        by_anchor = anchored.id > 0
    else:
        with journal:
            by_anchor = (
                integrity.anchor_problem(journal, anchored, journal.count_and_last()[1]) is not None
            )
    assert (verify, expect_head, by_anchor, history, session) == expected

    # Nothing can be recorded into a journal that is caught; an uncaught forge is recorded on.
    integrity.forget_walks()
    if history:
        with pytest.raises(JournalAltered), Journal.open(folder) as journal:
            journal.record(new_record("P", DAY0), acknowledge_history=True)
    else:
        with Journal.open(folder) as journal:
            assert journal.record(new_record("P", DAY0), acknowledge_history=True).id == 9
