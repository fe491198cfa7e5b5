"""The site journal's anchor in two slots (journal/anchor_slots.py): written in place without
a sync of its own, a torn or lost write never gives a head the journal need not contain
(no false "altered") and never a head newer than the last one written (no false "fine")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ixempra_gui.journal.anchor import AnchorFile, AnchorUnreadable, Head
from ixempra_gui.journal.anchor_slots import FILE_SIZE, SLOT_OFFSETS, SLOT_SIZE, SlottedAnchor


def head(n: int) -> Head:
    return Head(n, f"{n:064x}")


def anchor_in(folder: Path) -> SlottedAnchor:
    return SlottedAnchor(folder / "site.slots", legacy=folder / "site.json")


def test_no_anchor_until_one_is_written_then_the_highest_head(tmp_path: Path) -> None:
    anchor = anchor_in(tmp_path)
    assert anchor.read() is None
    assert anchor.write(head(3), "postgresql://[/run]:5432/db")
    assert anchor.read() == head(3)
    assert anchor.path.stat().st_size == FILE_SIZE
    assert anchor.write(head(4), "j") and anchor.read() == head(4)
    assert not anchor.write(head(2), "j"), "a lower head never replaces a higher one"
    assert anchor.read() == head(4)
    assert anchor.write(head(1), "j", force=True) and anchor.read() == head(1)


def test_moves_are_written_in_place_alternating_slots(tmp_path: Path) -> None:
    """After the file is made, a move overwrites the slot with the older head, in place (same
    file, same size): the other slot still holds the previous head."""
    anchor = anchor_in(tmp_path)
    anchor.write(head(1), "j")
    inode = anchor.path.stat().st_ino
    for n in range(2, 8):
        anchor.write(head(n), "j")
        data = anchor.path.read_bytes()
        held = sorted(json.loads(data[at : at + SLOT_SIZE])["head"]["id"] for at in SLOT_OFFSETS)
        assert held == [n - 1, n]
        assert anchor.path.stat().st_ino == inode and len(data) == FILE_SIZE


@pytest.mark.parametrize("damage", ["zeros", "half old half new", "garbage", "edited head"])
def test_a_torn_or_edited_slot_is_not_read_the_other_holds_the_previous_head(
    tmp_path: Path, damage: str
) -> None:
    anchor = anchor_in(tmp_path)
    anchor.write(head(5), "j")
    before = anchor.path.read_bytes()
    anchor.write(head(6), "j")
    after = bytearray(anchor.path.read_bytes())
    at = next(o for o in SLOT_OFFSETS if before[o : o + SLOT_SIZE] != after[o : o + SLOT_SIZE])
    if damage == "zeros":
        after[at : at + SLOT_SIZE] = bytes(SLOT_SIZE)
    elif damage == "half old half new":
        after[at + 100 : at + SLOT_SIZE] = before[at + 100 : at + SLOT_SIZE]
    elif damage == "garbage":
        after[at : at + 40] = b"\xff" * 40
    else:
        slot = bytes(after[at : at + SLOT_SIZE]).replace(b'"id":6', b'"id":9')
        after[at : at + SLOT_SIZE] = slot
    anchor.path.write_bytes(bytes(after))
    assert anchor.read() == head(5), "the previous head, which the journal holds"


def test_a_lost_write_leaves_the_previous_head(tmp_path: Path) -> None:
    """A power cut before the page reached the disk: the slot keeps what it held."""
    anchor = anchor_in(tmp_path)
    anchor.write(head(5), "j")
    anchor.write(head(6), "j")
    kept = anchor.path.read_bytes()
    anchor.write(head(7), "j")
    anchor.path.write_bytes(kept)  # the write of 7 never reached the disk
    assert anchor.read() == head(6)


def test_both_slots_unreadable_is_an_unreadable_anchor(tmp_path: Path) -> None:
    anchor = anchor_in(tmp_path)
    anchor.write(head(2), "j")
    anchor.path.write_bytes(b"x" * FILE_SIZE)
    with pytest.raises(AnchorUnreadable):
        anchor.read()
    anchor.path.write_bytes(b"")
    with pytest.raises(AnchorUnreadable):
        anchor.read()


def test_the_old_single_file_is_read_until_the_slots_exist_and_folded_in(tmp_path: Path) -> None:
    anchor = anchor_in(tmp_path)
    assert anchor.legacy is not None
    AnchorFile(anchor.legacy).write(head(9), "j")
    assert anchor.read() == head(9)
    assert anchor.write(head(4), "j"), "the slot file is made"
    assert anchor.read() == head(9), "the old head, higher, is kept"
    AnchorFile(anchor.legacy).path.unlink()
    assert anchor.read() == head(9)
    assert anchor.write(head(10), "j") and anchor.read() == head(10)


def test_a_long_journal_location_still_fits_a_slot(tmp_path: Path) -> None:
    anchor = anchor_in(tmp_path)
    anchor.write(head(1), "postgresql://" + "\u00e9" * 300)
    anchor.write(head(2), "x" * 5000)
    assert anchor.read() == head(2)


def test_what_one_process_remembers_is_what_a_fresh_reader_reads(tmp_path: Path) -> None:
    """The anchor keeps the slots it last read or wrote, keyed by the file's bytes: its own
    reads agree with a reader that parses the file anew, after its writes and after the file
    was changed behind it (by another process, or a person) at the same size."""
    anchor = anchor_in(tmp_path)
    for n in range(1, 6):
        anchor.write(head(n), "j")
        assert anchor.read() == SlottedAnchor(anchor.path).read() == head(n)
    other = SlottedAnchor(anchor.path)
    assert other.write(head(8), "j")  # another process moves it on
    assert anchor.read() == head(8)
    assert not anchor.write(head(7), "j"), "the other process's higher head is seen"
    data = bytearray(anchor.path.read_bytes())
    newest = next(at for at in SLOT_OFFSETS if b'"id":8' in data[at : at + SLOT_SIZE])
    data[newest : newest + 6] = b"edited"
    anchor.path.write_bytes(bytes(data))
    assert anchor.read() == SlottedAnchor(anchor.path).read() == head(5)
