"""Checking a preparation against its verified plan: each scanned kit accepted or refused with
the reason, what is still missing, and whether the bag label may be printed.

Pure: the plan (the dose's VialPlan), the scans with their times, the two preparation times
and ``now`` come in; nothing is read from a clock or written anywhere. Who scanned is the
caller's to add to each near miss. A scan is judged in this order, the first failing check
naming the reason: readable GS1 drug package, IXEMPRA, a planned strength, unexpired on the day
it is scanned (the expiry date itself is usable through that day), not a kit already accepted,
not more of a strength than planned. Two kits are distinct when both carry serials that
differ, or else when their lots differ; otherwise the scan is refused as identical. A
serialised kit (GTIN + serial) already used for another dose (``used``: where, by the caller)
is refused before its expiry is looked at: one package, one preparation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from ixempra_gui.core import label
from ixempra_gui.core.citations import cited
from ixempra_gui.core.compounding_clock import (
    DEFAULT_FUTURE_TOLERANCE,
    ClockCheck,
    aware,
    check_clocks,
    local_date,
    shown,
)
from ixempra_gui.core.gs1_scan import KitScan, ScanProblem, ScanRefusal, parse_scan
from ixempra_gui.core.kits import KitCatalog, KitMatch, load_kits
from ixempra_gui.core.models import VialPlan
from ixempra_gui.core.wording import vial_plan

SCAN_SERIALISED: Final = "Scan the serialised code (the 2D barcode with the serial number)."


class RefusalReason(StrEnum):
    UNREADABLE = "unreadable"  # not a GS1 drug package (ScanProblem says why)
    WRONG_DRUG = "wrong_drug"
    WRONG_STRENGTH = "wrong_strength"
    EXPIRED = "expired"
    IDENTICAL = "identical_scan"
    SURPLUS = "surplus"
    SERIAL_USED = "serial_used"  # this serialised kit is in another dose's preparation


@dataclass(frozen=True)
class Scan:
    """One scan as received, and when (naive = local wall time)."""

    text: str
    at: datetime


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    message: str
    problem: ScanProblem | None = None  # for UNREADABLE: what reading the barcode found


@dataclass(frozen=True)
class ScanOutcome:
    """One scan judged. A refused one is a near miss: what was scanned, when, and why."""

    text: str
    at: datetime  # aware, in UTC (shown() gives local time)
    kit: KitScan | None  # what the barcode said, whenever it could be read
    match: KitMatch | None  # which IXEMPRA kit, when it is one
    refusal: Refusal | None

    @property
    def accepted(self) -> bool:
        return self.refusal is None

    @property
    def strength_mg(self) -> int | None:
        return self.match.product.strength_mg if self.match is not None else None


@dataclass(frozen=True)
class KitsCheck:
    plan: VialPlan
    outcomes: tuple[ScanOutcome, ...]  # in scan order

    @property
    def accepted(self) -> tuple[ScanOutcome, ...]:
        return tuple(o for o in self.outcomes if o.accepted)

    @property
    def near_misses(self) -> tuple[ScanOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.accepted)

    def accepted_count(self, strength_mg: int) -> int:
        return sum(1 for o in self.outcomes if o.accepted and o.strength_mg == strength_mg)

    @property
    def missing(self) -> tuple[tuple[int, int], ...]:
        """(strength mg, kits still to scan), largest strength first; empty when complete."""
        return tuple(
            (strength, count - self.accepted_count(strength))
            for strength, count in self.plan.counts
            if count > self.accepted_count(strength)
        )

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class PreparationCheck:
    kits: KitsCheck
    clocks: ClockCheck
    failures: tuple[str, ...]  # discard and remake: each says why
    blockers: tuple[str, ...]  # why the label cannot print now (failures included)

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    @property
    def label_allowed(self) -> bool:
        return not self.blockers


def describe_plan(plan: VialPlan) -> str:
    """'1 × 45 mg + 2 × 15 mg' (strengths with no kit left out)."""
    return vial_plan(plan.counts, none="no kits")


def check_kits(
    plan: VialPlan,
    scans: Iterable[Scan],
    *,
    catalog: KitCatalog | None = None,
    gs_substitute: str | None = None,
    tz: tzinfo | None = None,
    used: Mapping[tuple[str, str], str] | None = None,
) -> KitsCheck:
    """Judge every scan, in order, against the plan and the kits accepted before it.

    Never raises on scan text. ValueError for a plan the kits cannot make; a scan time that
    cannot be placed on the calendar (near year 1 or 9999) raises, as it is the caller's clock.
    """
    catalog = load_kits() if catalog is None else catalog
    unknown = [s for s, n in plan.counts if n > 0 and s not in catalog.strengths_mg]
    if plan.vial_count <= 0 or unknown:
        raise ValueError(f"plan {describe_plan(plan)} cannot be prepared from the kits")
    outcomes: list[ScanOutcome] = []
    for scan in scans:
        outcomes.append(_judge(plan, scan, outcomes, catalog, gs_substitute, tz, used or {}))
    return KitsCheck(plan, tuple(outcomes))


def check_preparation(
    plan: VialPlan,
    scans: Iterable[Scan],
    *,
    reconstituted_at: datetime | None,
    diluted_at: datetime | None,
    infusion_hours: int,
    now: datetime,
    catalog: KitCatalog | None = None,
    gs_substitute: str | None = None,
    tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    tz: tzinfo | None = None,
    used: Mapping[tuple[str, str], str] | None = None,
    administered_on: date | None = None,
) -> PreparationCheck:
    """The kits and the clocks together: failed or not, and what still blocks the label.
    ``administered_on``: the verified dose's administration date, which must be the day it is
    prepared (reconstituted, else today)."""
    kits = check_kits(plan, scans, catalog=catalog, gs_substitute=gs_substitute, tz=tz, used=used)
    clocks = check_clocks(
        reconstituted_at,
        diluted_at,
        infusion_hours=infusion_hours,
        now=now,
        tolerance=tolerance,
        tz=tz,
    )
    failures: list[str] = []
    if clocks.failure is not None:
        failures.append(clocks.failure)
    if clocks.reconstituted_at is not None:
        used_on = local_date(clocks.reconstituted_at, tz)
        for outcome in kits.accepted:
            assert outcome.kit is not None
            if outcome.kit.expiry < used_on:
                failures.append(
                    f"Kit lot {outcome.kit.lot} expired on {outcome.kit.expiry.isoformat()} and "
                    f"was reconstituted on {used_on.isoformat()}. Preparation failed: discard "
                    "and remake."
                )
    blockers = list(failures)
    if kits.missing:
        missing = vial_plan(kits.missing)
        blockers.append(f"Kits still to scan: {missing} (plan: {describe_plan(plan)}).")
    blockers += [issue.message for issue in clocks.errors]
    if reconstituted_at is None:
        blockers.append("The reconstitution time is not recorded.")
    if diluted_at is None:
        blockers.append("The dilution (bag completed) time is not recorded.")
    if clocks.too_late is not None:
        blockers.append(clocks.too_late)
    if administered_on is not None:
        blockers += _another_day(administered_on, clocks.reconstituted_at or now, tz)
    return PreparationCheck(kits, clocks, tuple(failures), tuple(blockers))


def _another_day(administered_on: date, at: datetime, tz: tzinfo | None) -> list[str]:
    """A dose verified for another day than the one it is prepared on: the bag keeps 6 hours
    (clinical-rules §5), so the record would be wrong (wrong order taken, or the date mistyped
    at the double check). Prepared after midnight for yesterday's date counts too: the dose is
    verified again for the day it is given (product rule, docs/preparation.md)."""
    day = local_date(at, tz)
    if day == administered_on:
        return []
    return [
        f"This dose was verified for administration on {administered_on.isoformat()}; it is "
        f"being prepared on {day.isoformat()}. The bag must be infused within 6 h of dilution: "
        "prepare it on the day it is given, or have the dose verified again with today's date "
        f"({cited(label.SRC_DILUTED_MAX)})."
    ]


def _judge(
    plan: VialPlan,
    scan: Scan,
    before: list[ScanOutcome],
    catalog: KitCatalog,
    gs_substitute: str | None,
    tz: tzinfo | None,
    used: Mapping[tuple[str, str], str],
) -> ScanOutcome:
    at = aware(scan.at, tz)
    read = parse_scan(scan.text, gs_substitute=gs_substitute)
    if isinstance(read, ScanRefusal):
        refusal = Refusal(RefusalReason.UNREADABLE, read.message, read.problem)
        return ScanOutcome(scan.text, at, None, None, refusal)
    match = catalog.identify(read.ndc10)

    def refuse(reason: RefusalReason, message: str) -> ScanOutcome:
        return ScanOutcome(scan.text, at, read, match, Refusal(reason, message))

    if match is None:
        known = ", ".join(k.product_ndc for k in catalog.kits)
        return refuse(
            RefusalReason.WRONG_DRUG,
            f"Wrong drug: GTIN {read.gtin} (NDC digits {read.ndc10}) is not an {catalog.brand} "
            f"kit ({known}). Put it back.",
        )
    strength = match.product.strength_mg
    what = f"{catalog.brand} {strength} mg kit, lot {read.lot}"
    planned = plan.count(strength)
    if planned == 0:
        return refuse(
            RefusalReason.WRONG_STRENGTH,
            f"Wrong strength: {what}; the plan has no {strength} mg kit "
            f"(plan: {describe_plan(plan)}). Put it back.",
        )
    if read.serial is not None and (where := used.get((read.gtin, read.serial))) is not None:
        return refuse(RefusalReason.SERIAL_USED, _serial_used(what, read.serial, where))
    scanned_on = local_date(at, tz)
    if read.expiry < scanned_on:
        return refuse(
            RefusalReason.EXPIRED,
            f"Expired kit: {what} expired on {read.expiry.isoformat()} (today is "
            f"{scanned_on.isoformat()}). Put it aside as expired.",
        )
    for earlier in before:
        if earlier.accepted and earlier.kit is not None and _same_kit(earlier.kit, read):
            return refuse(RefusalReason.IDENTICAL, _identical(what, read, earlier, tz))
    accepted = sum(1 for o in before if o.accepted and o.strength_mg == strength)
    if accepted >= planned:
        return refuse(
            RefusalReason.SURPLUS,
            f"Surplus kit: {what}; the plan needs {planned} × {strength} mg and {accepted} "
            f"{'is' if accepted == 1 else 'are'} already scanned (plan: {describe_plan(plan)}). "
            "Put it back.",
        )
    return ScanOutcome(scan.text, at, read, match, None)


def _same_kit(a: KitScan, b: KitScan) -> bool:
    """Not provably two kits: same GTIN and serial, or (a serial missing) same GTIN and lot."""
    if a.gtin != b.gtin:
        return False
    if a.serial is not None and b.serial is not None:
        return a.serial == b.serial
    return a.lot == b.lot


def _identical(what: str, read: KitScan, earlier: ScanOutcome, tz: tzinfo | None) -> str:
    when = shown(earlier.at, tz)
    assert earlier.kit is not None
    if read.serial is not None and earlier.kit.serial is not None:
        return (
            f"Identical scan: {what}, serial {read.serial}, was already accepted at {when}. "
            f"Each kit is scanned once: {SCAN_SERIALISED[0].lower()}{SCAN_SERIALISED[1:]}"
        )
    return (
        f"Identical scan: {what} cannot be told from the kit accepted at {when} (same GTIN and "
        f"lot, no serial to tell them apart). {SCAN_SERIALISED}"
    )


def refused_as_used(outcome: ScanOutcome, where: str) -> ScanOutcome:
    """An accepted serialised kit refused after all: found used for ``where`` (another dose)
    when the journal checked it again under its write lock."""
    kit, strength = outcome.kit, outcome.strength_mg
    assert kit is not None and kit.serial is not None
    what = f"{load_kits().brand} {strength} mg kit, lot {kit.lot}"
    refusal = Refusal(RefusalReason.SERIAL_USED, _serial_used(what, kit.serial, where))
    return ScanOutcome(outcome.text, outcome.at, kit, outcome.match, refusal)


def _serial_used(what: str, serial: str, where: str) -> str:
    return (
        f"Kit already used: {what}, serial {serial}, went to {where}: a copied barcode or a "
        "used kit. Put it aside and report it."
    )
