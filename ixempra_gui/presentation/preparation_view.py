"""Qt-free: what the Preparation panel shows of one preparation, as display strings (issue 16).

The judging is the journal's and the core's (``journal.preparing.judge`` over
``core.compounding``: the plan, each scan, the 1-hour and 6-hour clocks); this module only
words what they found: each planned kit with its tick or still to scan, every refused scan
with its reason, the running clocks, and why the preparation cannot be recorded or its label
printed yet. ``preparation_desk.py`` holds the state and the journal calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final

from ixempra_gui.core.compounding import PreparationCheck, ScanOutcome, describe_plan
from ixempra_gui.core.compounding_clock import ClockCheck, shown
from ixempra_gui.core.gs1_types import GS as GS
from ixempra_gui.core.label import DILUTED_MAX_HOURS, RECONSTITUTED_MAX_HOURS
from ixempra_gui.journal.preparation_records import RecordedPreparation

#: What the scan field shows for a group separator (U+241D SYMBOL FOR GROUP SEPARATOR): GS
#: itself is a control character, invisible and dropped by a line edit.
GS_SHOWN: Final = "\u241d"
TICK, WAITING, CROSS = "✓", "○", "✗"


def scan_text(typed: str) -> str:
    """The scanner's text as the field holds it, with its group separators back as GS."""
    return typed.replace(GS_SHOWN, GS)


def left(deadline: datetime, now: datetime) -> str:
    """Time left until ``deadline``: '42 min left', '2 h 05 min left', or 'passed'."""
    span = deadline - now
    if span < timedelta(0):
        return "passed"
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min left" if hours else f"{minutes} min left"


@dataclass(frozen=True)
class KitRow:
    """One planned kit: ticked with what its barcode said, or still to scan."""

    strength_mg: int
    accepted: bool
    text: str
    refused: bool = False  # the last scan, meant for this kit, was refused


@dataclass(frozen=True)
class PreparationView:
    """Everything the panel shows, as text; ``can_*`` say what it offers now."""

    heading: str
    kits: tuple[KitRow, ...]
    refused: tuple[str, ...]  # every refused scan, oldest first, with its reason
    last_scan: str  # what the last scan did (the line the pharmacist reads after each beep)
    last_refused: bool
    reconstitution_clock: str
    infusion_clock: str
    time_problems: dict[str, str]  # field → message (reconstituted_at, diluted_at)
    failure: str  # why the preparation failed (discard and remake), or ""
    blockers: tuple[str, ...]  # why it cannot be recorded yet / its label cannot print
    can_scan: bool
    can_record: bool
    can_remake: bool  # the preparation recorded failed: scan new kits
    recorded: str  # "Preparation recorded: journal record 14", or ""
    can_print: bool
    print_refusal: str  # why Print label is unavailable ("" when it is available)
    notes: tuple[str, ...]  # journal problems (a near miss not recorded, ...)


def kit_line(outcome: ScanOutcome, tz: tzinfo | None = None) -> str:
    """An accepted kit: strength, lot, expiry, serial and when it was scanned."""
    kit = outcome.kit
    assert kit is not None
    serial = f" · serial {kit.serial}" if kit.serial else " · no serial"
    return (
        f"{outcome.strength_mg} mg kit — lot {kit.lot} · exp {kit.expiry.isoformat()}{serial}"
        f" · scanned {shown(outcome.at, tz)[11:]}"
    )


def kit_rows(check: PreparationCheck, tz: tzinfo | None = None) -> tuple[KitRow, ...]:
    """One row per planned kit, in the plan's order (largest strength first): ticked, still to
    scan, or — the kit the last scan was meant to be — its refusal with the reason."""
    rows: list[KitRow] = []
    outcomes = check.kits.outcomes
    last = outcomes[-1] if outcomes and outcomes[-1].refusal is not None else None
    for strength, count in check.kits.plan.counts:
        accepted = [o for o in check.kits.accepted if o.strength_mg == strength]
        for n in range(count):
            place = f"{n + 1} of {count}"
            if n < len(accepted):
                rows.append(KitRow(strength, True, f"{TICK} {place}: {kit_line(accepted[n], tz)}"))
            elif n == len(accepted) and last is not None and last.strength_mg == strength:
                assert last.refusal is not None  # the last scan, refused, was this kit's
                why = last.refusal.message.split(":", 1)[0]  # "Expired kit", "Identical scan"
                text = f"{CROSS} {place}: {strength} mg kit — last scan refused ({why}), see above"
                rows.append(KitRow(strength, False, text, refused=True))
            else:
                rows.append(
                    KitRow(strength, False, f"{WAITING} {place}: {strength} mg kit — scan it")
                )
    return tuple(rows)


def refused_line(outcome: ScanOutcome, tz: tzinfo | None = None) -> str:
    assert outcome.refusal is not None
    return f"{CROSS} {shown(outcome.at, tz)[11:]} {outcome.refusal.message}"


def last_scan(check: PreparationCheck, tz: tzinfo | None = None) -> tuple[str, bool]:
    """What the last scan did, and whether it was refused."""
    if not check.kits.outcomes:
        return f"Scan each kit ({describe_plan(check.kits.plan)}).", False
    last = check.kits.outcomes[-1]
    if last.refusal is not None:
        return f"Refused: {last.refusal.message}", True
    missing = check.kits.missing
    what = (
        "every planned kit is scanned"
        if not missing
        else "still to scan: " + ", ".join(f"{n} × {s} mg" for s, n in missing)
    )
    return f"Accepted: {kit_line(last, tz)}; {what}.", False


def reconstitution_clock(clocks: ClockCheck, tz: tzinfo | None = None) -> str:
    """The 1-hour clock: from reconstitution to dilution."""
    recon, diluted = clocks.reconstituted_at, clocks.diluted_at
    if recon is None or clocks.dilute_by is None:
        return f"{RECONSTITUTED_MAX_HOURS}-hour clock: enter the reconstitution time."
    head = (
        f"{RECONSTITUTED_MAX_HOURS}-hour clock: reconstituted {shown(recon, tz)}, "
        f"dilute by {shown(clocks.dilute_by, tz)[11:]}"
    )
    if diluted is not None:
        state = "too late" if clocks.failed else "in time"
        return f"{head} — diluted {shown(diluted, tz)[11:]} ({state})."
    return f"{head} — {left(clocks.dilute_by, clocks.now)}."


def infusion_clock(clocks: ClockCheck, tz: tzinfo | None = None) -> str:
    """The 6-hour clock: from dilution to the end of the infusion; the label prints until the
    infusion can still start in time."""
    if clocks.diluted_at is None or clocks.complete_by is None or clocks.start_by is None:
        return f"{DILUTED_MAX_HOURS}-hour clock: enter the dilution (bag completed) time."
    return (
        f"{DILUTED_MAX_HOURS}-hour clock: diluted {shown(clocks.diluted_at, tz)}, complete "
        f"infusion by {shown(clocks.complete_by, tz)[11:]}; a {clocks.infusion_hours} h infusion "
        f"starts by {shown(clocks.start_by, tz)[11:]} — {left(clocks.start_by, clocks.now)}."
    )


def preparation_lines(prep: RecordedPreparation, tz: tzinfo | None = None) -> tuple[str, ...]:
    """A recorded preparation as the worksheet lists it: who, when, each kit, the verdict."""

    def at(moment: datetime | None) -> str:
        return shown(moment, tz) if moment is not None else "not recorded"

    state = "FAILED — discard and remake" if prep.failed else "complete"
    lines = [
        f"Preparation record {prep.record.id} ({state}), compounded by {prep.compounded_by}, "
        f"recorded {prep.record.recorded_at}.",
        f"Reconstituted at {at(prep.reconstituted_at)}; diluted (bag completed) at "
        f"{at(prep.diluted_at)}.",
    ]
    for kit in prep.kits:
        expiry = kit.expiry.isoformat() if kit.expiry is not None else "not read"
        lines.append(
            f"{kit.strength_mg} mg kit: lot {kit.lot}, expiry {expiry}, serial "
            f"{kit.serial or 'none'}, GTIN {kit.gtin}, scanned {at(kit.scanned_at)}."
        )
    lines += list(prep.failures)
    return tuple(lines)
