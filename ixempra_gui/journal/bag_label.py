"""The bag label's content (issue 16), Qt-free: what to print on the infusion bag of a complete
preparation, and a Code 128 of the dose record id. ui/printing.py lays it out on paper or PDF;
``ixempra-journal label`` writes it as SVG (bag_label_svg.py).

Only a complete preparation has a label: the preparation of this dose record (id and hash),
every planned kit scanned, both times recorded, not failed (1 h from reconstitution to
dilution, no kit expired before use), and printing is refused once the infusion could no longer
be started in time (now > dilution + 6 h − infusion hours: label; clinical-rules §5). Every
figure is the one verified in the dose record, in ISMP style; times are local.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from ixempra_gui.core.compounding import describe_plan
from ixempra_gui.core.compounding_clock import check_clocks, shown
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.preparation import DILUENT_NAMES
from ixempra_gui.journal.entries import StoredRecord
from ixempra_gui.journal.preparation_records import (
    NotPreparable,
    RecordedPreparation,
    dose_to_prepare,
)

DRUG: Final = "IXEMPRA (ixabepilone)"
CYTOTOXIC: Final = (
    "CYTOTOXIC — CHEMOTHERAPY: wear chemotherapy gloves; dispose of as hazardous drug waste"
)
SECOND_IDENTIFIER_BLANKS: Final = (
    "Name: ________________________________",
    "Date of birth: ____________________",
)
#: The roles of the lines (how ui/printing.py sets each).
WARNING, PATIENT, BLANK, DRUG_LINE, DETAIL, DEADLINE, PEOPLE, RECORD = (
    "warning",
    "patient",
    "identifier_blank",
    "drug",
    "detail",
    "deadline",
    "people",
    "record",
)


class LabelRefused(Exception):
    """No label for this record now; the message says why (and what to do)."""


@dataclass(frozen=True)
class LabelLine:
    text: str
    role: str


@dataclass(frozen=True)
class Code128:
    """The dose record id as Code 128 (python-barcode): ``modules`` is the symbol from start to
    stop, ``1`` a dark module and ``0`` a light one, without the quiet zones (10 modules each
    side)."""

    text: str
    modules: str

    def bar_widths(self) -> tuple[tuple[bool, int], ...]:
        """(dark, width in modules) runs, left to right."""
        runs: list[tuple[bool, int]] = []
        for module in self.modules:
            dark = module == "1"
            if runs and runs[-1][0] == dark:
                runs[-1] = (dark, runs[-1][1] + 1)
            else:
                runs.append((dark, 1))
        return tuple(runs)

    def svg(self, module_mm: float = 0.33, height_mm: float = 12.0) -> str:
        """The barcode alone as SVG, drawn by python-barcode's SVG writer (no text under it)."""
        # python-barcode: imported only when a label is drawn (ixempra-journal starts without it)
        from barcode.writer import SVGWriter  # type: ignore[import-untyped]

        options = {
            "module_width": module_mm,
            "module_height": height_mm,
            "quiet_zone": 10 * module_mm,
            "write_text": False,
        }
        data: bytes = _symbol(self.text, SVGWriter()).render(writer_options=options)
        return data.decode("utf-8")


def _symbol(text: str, writer: Any = None) -> Any:
    """python-barcode's Code 128 of ``text``, with one correction: 0.16.1 (the latest release)
    takes a leading data pair "99" in code set C for a switch to code set C and drops it, so
    record 99 would read as nothing and 9912 as 12 (upstream issue #251, fixed after 0.16.1).
    Only a switch to code set A or B right after the start is folded into the start code here.
    tests/unit/test_bag_label.py reads every symbol back with a reader of its own."""
    # python-barcode: imported only when a label is made (ixempra-journal starts without it)
    from barcode import Code128 as Library  # type: ignore[import-untyped]
    from barcode.charsets import code128 as sets  # type: ignore[import-untyped]

    class Symbol(Library):  # type: ignore[misc]
        def _try_to_optimize(self, encoded: list[int]) -> list[int]:
            switches = (sets.C["TO_A"], sets.C["TO_B"])
            if len(encoded) > 1 and encoded[0] == sets.START_CODES["C"] and encoded[1] in switches:
                encoded[:2] = [sets.TO[encoded[1]]]
            return encoded

    return Symbol(text, writer=writer)


def code128(text: str) -> Code128:
    """``text`` (printable ASCII) as Code 128, the code sets chosen by python-barcode."""
    (modules,) = _symbol(text).build()
    return Code128(text, str(modules))


@dataclass(frozen=True)
class BagLabel:
    """What the bag label says, line by line, and its barcode."""

    lines: tuple[LabelLine, ...]
    barcode: Code128
    complete_by: datetime  # aware, UTC
    print_until: datetime  # the label is refused after this

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def _number(value: Any, unit: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return f"{format_number(Decimal(repr(value)))} {unit}"
    except (InvalidOperation, ValueError):
        return None


def _require(preparation: RecordedPreparation | None, dose: StoredRecord) -> RecordedPreparation:
    if preparation is None:
        raise LabelRefused(
            f"record {dose.id} has no preparation: scan its kits first (ixempra-journal prepare)"
        )
    if preparation.dose_id != dose.id or preparation.dose_hash != dose.hash:
        raise LabelRefused(
            f"record {preparation.record.id} is not the preparation of dose record {dose.id}"
        )
    if not preparation.record.intact:
        raise LabelRefused(f"record {preparation.record.id} does not match its hash (edited?)")
    if preparation.failed:
        raise LabelRefused(
            "the preparation failed: " + " ".join(preparation.failures or ("discard and remake",))
        )
    if not preparation.timed:
        raise LabelRefused(
            f"preparation record {preparation.record.id} has no reconstitution and dilution "
            "times: record them (ixempra-journal prepare with --reconstituted-at and "
            "--diluted-at, its kits scanned again)"
        )
    return preparation


def bag_label_document(
    dose: StoredRecord,
    preparation: RecordedPreparation | None,
    *,
    now: datetime,
    second_identifier: bool = False,
    tz: tzinfo | None = None,
) -> BagLabel:
    """The label of ``dose``'s preparation at ``now``; LabelRefused naming why there is none."""
    try:
        plan = dose_to_prepare(dose)
    except NotPreparable as exc:
        raise LabelRefused(str(exc)) from exc
    prep = _require(preparation, dose)
    counts: dict[int, int] = {}
    for kit in prep.kits:
        if kit.strength_mg is not None:
            counts[kit.strength_mg] = counts.get(kit.strength_mg, 0) + 1
    if any(counts.get(s, 0) != n for s, n in plan.plan.counts) or sum(counts.values()) != sum(
        n for _, n in plan.plan.counts
    ):
        raise LabelRefused(
            f"preparation record {prep.record.id} does not hold the planned kits "
            f"({describe_plan(plan.plan)})"
        )
    clocks = check_clocks(
        prep.reconstituted_at,
        prep.diluted_at,
        infusion_hours=plan.infusion_hours,
        now=now,
        tz=tz,
    )
    refusal = clocks.failure or clocks.too_late or next((e.message for e in clocks.errors), None)
    if refusal is not None:
        raise LabelRefused(refusal)
    assert clocks.complete_by is not None and clocks.start_by is not None
    assert clocks.diluted_at is not None
    deadline = LabelLine(
        f"Complete infusion by {shown(clocks.complete_by, tz)} (diluted "
        f"{shown(clocks.diluted_at, tz)}; start by {shown(clocks.start_by, tz)})",
        DEADLINE,
    )
    lines = _lines(dose, prep, plan.infusion_hours, second_identifier, deadline)
    return BagLabel(tuple(lines), code128(str(dose.id)), clocks.complete_by, clocks.start_by)


def _lines(
    dose: StoredRecord,
    prep: RecordedPreparation,
    hours: int,
    second_identifier: bool,
    deadline: LabelLine,
) -> list[LabelLine]:
    result = dose.result
    p = result.get("preparation") if isinstance(result.get("preparation"), dict) else {}
    assert isinstance(p, dict)
    lines = [
        LabelLine(CYTOTOXIC, WARNING),
        LabelLine(f"Patient: {dose.patient_id}", PATIENT),
    ]
    if second_identifier:
        lines += [LabelLine(text, BLANK) for text in SECOND_IDENTIFIER_BLANKS]
    lines.append(LabelLine(f"{DRUG} {_number(result.get('dose_mg'), 'mg')}", DRUG_LINE))
    fluid = _fluid(p.get("diluent"))
    volume, strength = (
        _number(p.get("final_volume_ml"), "mL"),
        _number(p.get("concentration_mg_per_ml"), "mg/mL"),
    )
    lines.append(LabelLine(f"Final volume {volume} in {fluid}; {strength}", DETAIL))
    lines.append(
        LabelLine(
            f"Infuse over {hours} h at {_number(p.get('rate_ml_per_h'), 'mL/h')} through an "
            f"{p.get('filter', 'in-line filter')}",
            DETAIL,
        )
    )
    lines.append(deadline)
    lots = "; ".join(
        f"{kit.strength_mg} mg lot {kit.lot} exp {kit.expiry.isoformat() if kit.expiry else '?'}"
        for kit in prep.kits
    )
    lines.append(LabelLine(f"Kits: {lots}", DETAIL))
    lines.append(
        LabelLine(
            f"Prepared by {dose.content.get('prepared_by')} · verified by "
            f"{dose.content.get('verified_by')} · compounded by {prep.compounded_by}",
            PEOPLE,
        )
    )
    lines.append(
        LabelLine(
            f"Dose record {dose.id} ({dose.short_hash}) · preparation record "
            f"{prep.record.id} · given {dose.administered_on}",
            RECORD,
        )
    )
    return lines


def _fluid(value: object) -> str:
    for diluent, name in DILUENT_NAMES.items():
        if value == diluent.value:
            return name
    return "the diluent verified"
