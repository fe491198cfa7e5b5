"""The bag label (issue 16, point 5): only for a complete preparation still in time; every
figure the verified dose's; the second-identifier lines when the site asks; a Code 128 that a
reader written from the symbol table decodes back to the dose record id."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from code128_decode import WIDTHS, Unreadable, decode
from conftest import order_kwargs
from gs1_codes import GTIN_15, GTIN_45, kit_code
from hypothesis import given
from hypothesis import strategies as st

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.compounding import Scan
from ixempra_gui.core.models import Order
from ixempra_gui.core.policy import load_policy
from ixempra_gui.journal.bag_label import (
    CYTOTOXIC,
    SECOND_IDENTIFIER_BLANKS,
    LabelRefused,
    bag_label_document,
    code128,
)
from ixempra_gui.journal.bag_label_svg import bag_label_svg
from ixempra_gui.journal.chain import canonical_json, content_hash
from ixempra_gui.journal.entries import NewRecord, StoredRecord, draft_content
from ixempra_gui.journal.preparation_records import (
    NotPreparable,
    dose_to_prepare,
    preparation_draft,
    read_preparation,
)
from ixempra_gui.journal.preparing import judge

EST = timezone(timedelta(hours=-5))
RECON = datetime(2026, 3, 10, 9, 0, tzinfo=EST)
DILUTED = RECON + timedelta(minutes=40)
NOW = DILUTED + timedelta(minutes=10)
KITS = [
    kit_code(GTIN_45, "271231", "L45", "S1"),
    kit_code(GTIN_15, "270630", "L15", "S2"),
    kit_code(GTIN_15, "270630", "L15", "S3"),
]


def stored(record_id: int, content: dict, prev: str = "0" * 64) -> StoredRecord:
    content = {**content, "id": record_id, "prev_hash": prev, "recorded_at": "2026-03-10"}
    return StoredRecord(record_id, content_hash(canonical_json(content)), prev, content)


def the_dose(record_id: int = 12, **changes: str) -> StoredRecord:
    order = Order(**order_kwargs(**changes))
    new = NewRecord(
        "MRN 0012345", RECON.date(), "A. Pharmacist", "B. Checker", order, calculate(order)
    )
    return stored(record_id, draft_content(new, load_policy()))


def prepared(dose: StoredRecord, *, recon=RECON, diluted=DILUTED, kits=KITS, record_id=14):
    to_prepare = dose_to_prepare(dose)
    scans = [Scan(text, RECON - timedelta(minutes=5)) for text in kits]
    check = judge(to_prepare, scans, reconstituted_at=recon, diluted_at=diluted, now=NOW, tz=EST)
    draft = preparation_draft(
        to_prepare, check, compounded_by="C. Compounder", authenticated=False, recorded_with="test"
    )
    record = read_preparation(stored(record_id, draft, dose.hash))
    assert record is not None
    return record


def label(dose: StoredRecord | None = None, **kwargs):
    dose = dose or the_dose()
    preparation = kwargs.pop("preparation", None) or prepared(dose)
    return bag_label_document(dose, preparation, now=kwargs.pop("now", NOW), tz=EST, **kwargs)


def test_the_label_says_what_the_verified_dose_and_its_preparation_say() -> None:
    made = label()
    text = made.text()
    lines = [line.text for line in made.lines]
    assert lines[0] == CYTOTOXIC and made.lines[0].role == "warning"
    assert lines[1] == "Patient: MRN 0012345"
    assert "IXEMPRA (ixabepilone) 72.8 mg" in lines
    assert "Final volume 286.4 mL in Lactated Ringer's Injection; 0.25 mg/mL" in lines
    assert any(
        line.startswith("Infuse over 3 h at 95.5 mL/h through an in-line filter") for line in lines
    )
    # complete by dilution + 6 h, start by dilution + 6 h − 3 h, in the pharmacy's time
    assert (
        "Complete infusion by 2026-03-10 15:40 (diluted 2026-03-10 09:40; start by "
        "2026-03-10 12:40)" in lines
    )
    assert (
        "Kits: 45 mg lot L45 exp 2027-12-31; 15 mg lot L15 exp 2027-06-30; 15 mg lot L15 "
        "exp 2027-06-30" in lines
    )
    assert (
        "Prepared by A. Pharmacist · verified by B. Checker · compounded by C. Compounder" in text
    )
    assert "Dose record 12" in text and "preparation record 14" in text
    assert made.complete_by == datetime(2026, 3, 10, 20, 40, tzinfo=UTC)
    assert made.print_until == datetime(2026, 3, 10, 17, 40, tzinfo=UTC)
    assert not any(line in lines for line in SECOND_IDENTIFIER_BLANKS)
    assert made.barcode.text == "12" and decode(made.barcode.modules) == "12"


def test_a_site_asking_for_two_identifiers_gets_lines_to_write_them() -> None:
    lines = [line.text for line in label(second_identifier=True).lines]
    where = lines.index("Patient: MRN 0012345")
    assert tuple(lines[where + 1 : where + 3]) == SECOND_IDENTIFIER_BLANKS


def test_printing_stops_when_the_infusion_could_no_longer_start_in_time() -> None:
    start_by = DILUTED + timedelta(hours=3)
    assert label(now=start_by).print_until == start_by.astimezone(UTC)  # exactly then: still
    with pytest.raises(LabelRefused, match="Too late to print the label"):
        label(now=start_by + timedelta(microseconds=1))


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"recon": RECON - timedelta(minutes=61)}, "Preparation failed: discard and remake"),
        ({"recon": None, "diluted": None}, "has no reconstitution and dilution times"),
        ({"kits": [*KITS[:2], kit_code(GTIN_15, "200101", "OLD", "S9"), *KITS[2:]]}, None),
    ],
)
def test_only_a_complete_preparation_has_a_label(changes: dict, why: str | None) -> None:
    dose = the_dose()
    preparation = prepared(dose, **changes)
    if why is None:  # an expired kit refused, the plan still complete: a label
        assert label(dose, preparation=preparation).barcode.text == "12"
        return
    with pytest.raises(LabelRefused, match=why):
        label(dose, preparation=preparation)


def test_no_label_without_the_preparation_of_this_very_dose_record() -> None:
    dose = the_dose()
    with pytest.raises(LabelRefused, match="has no preparation"):
        bag_label_document(dose, None, now=NOW, tz=EST)
    other = the_dose(13)
    with pytest.raises(LabelRefused, match="not the preparation of dose record 12"):
        label(dose, preparation=prepared(other))
    incomplete = prepared(dose)
    incomplete = replace(incomplete, kits=incomplete.kits[:2])
    with pytest.raises(
        LabelRefused, match=r"does not hold the planned kits \(1 × 45 mg \+ 2 × 15 mg\)"
    ):
        label(dose, preparation=incomplete)
    with pytest.raises(LabelRefused, match="not a verified dose"):
        bag_label_document(stored(14, {"kind": "preparation"}), incomplete, now=NOW)


def test_the_svg_is_well_formed_and_escapes_every_text() -> None:
    dose = the_dose()
    dose = replace(dose, content={**dose.content, "prepared_by": "O'Brien & <Sons>"})
    made = label(dose, preparation=prepared(dose), second_identifier=True)
    svg = bag_label_svg(made)
    root = ET.fromstring(svg.encode("utf-8"))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = " ".join(texts)
    assert "O'Brien & <Sons>" in joined and "MRN 0012345" in joined and "Record 12" in joined
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") == "12.0"]
    assert len(bars) == sum(1 for dark, _ in made.barcode.bar_widths() if dark)


def test_the_barcode_svg_of_python_barcode_draws_the_same_bars() -> None:
    """What ui/printing.py draws: python-barcode's SVG writer, read back bar by bar."""
    symbol = code128("9912")
    root = ET.fromstring(symbol.svg(module_mm=0.5).encode("utf-8"))
    bars = [
        r for r in root.iter("{http://www.w3.org/2000/svg}rect") if "black" in r.get("style", "")
    ]
    xs = [float(r.get("x", "").removesuffix("mm")) for r in bars]
    widths = [round(float(r.get("width", "").removesuffix("mm")) / 0.5) for r in bars]
    modules = ["0"] * (round((xs[-1] - xs[0]) / 0.5) + widths[-1])
    for x, w in zip(xs, widths, strict=True):
        start = round((x - xs[0]) / 0.5)
        modules[start : start + w] = ["1"] * w
    assert decode("".join(modules)) == "9912"


def test_the_reader_in_the_tests_is_the_symbol_table() -> None:
    """The 107 patterns: 3 bars and 3 spaces, 11 modules each, all different (the reader is
    independent of python-barcode; a wrong table would misread)."""
    assert len(WIDTHS) == 106 and len(set(WIDTHS)) == 106
    assert all(len(w) == 6 and sum(map(int, w)) == 11 for w in WIDTHS)
    modules = code128("12").modules
    broken = modules[:12] + ("0" if modules[12] == "1" else "1") + modules[13:]
    with pytest.raises(Unreadable):
        decode(broken)


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_every_record_id_reads_back_from_its_barcode(record_id: int) -> None:
    assert decode(code128(str(record_id)).modules) == str(record_id)


@pytest.mark.parametrize("record_id", ["99", "9900", "991", "9999999", "1", "12", "100", "1099"])
def test_ids_starting_with_99_keep_their_digits(record_id: str) -> None:
    """python-barcode 0.16.1 drops a leading "99" (upstream issue #251): corrected here."""
    assert decode(code128(record_id).modules) == record_id


@pytest.mark.parametrize(
    "vials", [{"30": 1}, {"45": 0, "15": 0}, {"15": -1}, {"fifteen": 1}, [15], None]
)
def test_a_dose_record_whose_plan_no_kit_makes_is_not_prepared(vials: object) -> None:
    """A record read back is data: a plan the kits cannot make is refused, never raised on."""
    dose = the_dose()
    content = {**dose.content, "result": {**dose.result, "vials": vials}}
    with pytest.raises(NotPreparable, match="record 12"):
        dose_to_prepare(replace(dose, content=content))
