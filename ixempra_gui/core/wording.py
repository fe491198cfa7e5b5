"""Each fact of a dose worded once: every renderer (the window, the worksheet, the PA summary,
the ``ixempra-calc`` text, the journal's comparison and export) calls these.

The vial plan ("1 × 45 mg + 2 × 15 mg"), the billing lines (J9207 units, JW/JZ, the NDCs with
"(unverified)" on every line they concern), the measurement echo ("154 lb (69.85 kg)"), the
start-of-cycle lines, the dose rounding, the BSA, the liver ratios, the times (one local
format, the zone stated once), and how a source is cited to the pharmacist. Numbers go through
core/formatting.py (ISMP). It lives in the core, below the command line and the journal, so
they word a fact as the window does; presentation/wording.py re-exports it for the screen and
paper. JSON and CSV keep their own keys and ISO 8601 times: this module is for people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from ixempra_gui.core import label
from ixempra_gui.core.citations import cited as cited  # re-exported: the one wording module
from ixempra_gui.core.formatting import format_number, format_quantity, format_ratio, unit_word
from ixempra_gui.core.preparation import preparation_steps

if TYPE_CHECKING:
    from ixempra_gui.core.models import (
        Billing,
        BillingLine,
        BsaResult,
        CycleGate,
        DoseResult,
        DoseRounding,
        HepaticRatios,
        Preparation,
    )
    from ixempra_gui.core.units import Measurement

UNVERIFIED = "(unverified)"


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


# --- vials and billing --------------------------------------------------------------------


def vial_plan(counts: Iterable[tuple[int, int]], none: str = "none") -> str:
    """(strength mg, count) pairs, largest first: "1 × 45 mg + 2 × 15 mg"."""
    return " + ".join(f"{n} × {format_quantity(s, 'mg')}" for s, n in counts if n) or none


def vial_plan_total(counts: Iterable[tuple[int, int]], total_mg: int) -> str:
    """The plan and its labeled total: "1 × 45 mg + 2 × 15 mg = 75 mg labeled"."""
    return f"{vial_plan(counts)} = {format_quantity(total_mg, 'mg')} labeled"


def billing_code(line: BillingLine) -> str:
    """ "J9207" or "J9207-JW"."""
    return f"{line.hcpcs}-{line.modifier}" if line.modifier else line.hcpcs


def ndc_list(billing: Billing) -> str:
    """The NDCs, each one not yet verified marked so: "70020-1911-01 (unverified), …"."""
    return ", ".join(
        f"{ndc} {UNVERIFIED}" if ndc in billing.ndc_unverified else ndc for ndc in billing.ndc
    )


def claim_lines(billing: Billing) -> tuple[str, ...]:
    """One line per claim line: "J9207-JW × 2 units: discarded (single-dose vials)". While an
    NDC of the dose is unverified, every line names all the dose's NDCs with that one marked
    (a line reads as the claim line it is)."""
    mark = f" — {_ndcs(billing)}" if billing.ndc_unverified else ""
    return tuple(
        f"{billing_code(ln)} × {ln.units} {unit_word(ln.units)}: {ln.description}{mark}"
        for ln in billing.lines
    )


def billing_lines(billing: Billing) -> tuple[str, ...]:
    """The claim lines, then the NDCs unless every line already names them."""
    lines = claim_lines(billing)
    return lines if billing.ndc_unverified else (*lines, _ndcs(billing))


def _ndcs(billing: Billing) -> str:
    return f"{'NDCs' if len(billing.ndc) > 1 else 'NDC'} {ndc_list(billing)}"


def units_phrase(billing: Billing) -> str:
    """The units of one dose in a phrase: "75 units (73 administered + 2 discarded, JW)"."""
    if billing.units_wasted:
        return (
            f"{billing.units_total} units ({billing.units_administered} administered + "
            f"{billing.units_wasted} discarded, {billing.modifier})"
        )
    return f"{billing.units_total} units (nothing discarded, {billing.modifier})"


# --- inputs and figures -------------------------------------------------------------------


def measurement_echo(m: Measurement) -> str:
    """What was typed, with its unit, and the canonical value when another unit was typed, so
    a wrong unit shows: "154 lb (69.85 kg)", "70 kg"."""
    typed = m.text if re.search(r"[^0-9.,\s+-]", m.text) else f"{m.text} {m.entered_symbol}"
    if m.in_canonical_unit:
        return typed
    return f"{typed} ({format_quantity(m.value, m.canonical_symbol, 2)})"


def with_uln(m: Measurement, uln: Measurement) -> str:
    """ "30 U/L (ULN 40 U/L)"."""
    return f"{measurement_echo(m)} (ULN {measurement_echo(uln)})"


def bsa_text(bsa: BsaResult, formula_name: str) -> str:
    """ "1.82 m² (Mosteller)", or with the cap: "2.31 m² (Mosteller), capped: the dose is
    calculated on 2.2 m²"."""
    text = f"{format_quantity(bsa.rounded_m2, 'm²')} ({formula_name})"
    if bsa.capped:
        text += f", capped: the dose is calculated on {format_quantity(bsa.used_m2, 'm²')}"
    return text


def volume_step(dose_mg: Decimal, volume_ml: Decimal) -> str:
    """How the volume to withdraw follows from the dose, never a false equality: the exact
    quotient, then the volume drawn up when rounding to 0.1 mL changed it ("72.9 mg ÷ 2 mg/mL =
    36.45 mL, drawn up as 36.5 mL (to 0.1 mL)")."""
    exact = dose_mg / label.RECONSTITUTED_MG_PER_ML
    text = (
        f"Volume to withdraw = {format_quantity(dose_mg, 'mg')} ÷ "
        f"{format_quantity(label.RECONSTITUTED_MG_PER_ML, 'mg/mL')} = "
        f"{format_quantity(exact, 'mL')}"
    )
    if exact != volume_ml:
        text += f", drawn up as {format_quantity(volume_ml, 'mL')} (to 0.1 mL)"
    return text


def liver_ratios(ratios: HepaticRatios) -> str:
    """ "AST 0.75×ULN, ALT 0.63×ULN, total bilirubin 0.67×ULN"."""
    return (
        f"AST {format_ratio(ratios.ast)}, ALT {format_ratio(ratios.alt)}, "
        f"total bilirubin {format_ratio(ratios.bilirubin)}"
    )


def rounding_note(rounding: DoseRounding | None) -> str:
    """A dose rounded to a vial boundary: "rounded to the vials from 70.1 mg (+7%, within
    10%)"; "" when it was not."""
    if rounding is None or not rounding.applied:
        return ""
    sign = "+" if rounding.change_pct > 0 else ""
    return (
        f"rounded to the vials from {format_quantity(rounding.unrounded_mg, 'mg')} "
        f"({sign}{format_number(rounding.change_pct)}%, within "
        f"{format_number(rounding.within_pct)}%)"
    )


def gate_lines(gate: CycleGate | None) -> tuple[str, ...]:
    """The start-of-cycle verdict, then each criterion with its value, limit and outcome."""
    if gate is None:
        return ()
    lines = []
    for c in gate.criteria:
        limit = format_number(Fraction(c.limit), grouping=True)
        rule = f"{c.comparison} {limit}" + ("" if c.unit == "grade" else f" {c.unit}")
        if c.value is None:
            lines.append(f"{c.label}: not entered — not checked (needs {rule})")
            continue
        value = format_number(Fraction(c.value), grouping=True)
        shown = f"grade {value}" if c.unit == "grade" else f"{value} {c.unit}"
        lines.append(f"{c.label}: {shown} — {'met' if c.passed else 'NOT MET'} (needs {rule})")
    verdict = {
        True: "All start-of-cycle criteria met.",
        False: "Start-of-cycle criteria not met: hold.",
        None: "Start-of-cycle criteria not fully checked.",
    }[gate.passed]
    return (verdict, *lines)


# --- times --------------------------------------------------------------------------------


def local(moment: datetime) -> datetime:
    """The moment in this machine's zone (a naive time is already local wall time)."""
    return moment.astimezone()


def zone(moment: datetime) -> str:
    """The zone of a local time as an offset: "UTC+01:00"."""
    offset = local(moment).strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:]}"


def stamp(moment: datetime) -> str:
    """A time with its zone, said once per page or panel: "2026-12-03 14:30 (UTC+01:00)"."""
    return f"{local(moment):%Y-%m-%d %H:%M} ({zone(moment)})"


def clock(moment: datetime | None, day: date | None = None) -> str:
    """A time after the zone was stated: "14:30" on ``day``, else with its date."""
    if moment is None:
        return "—"
    shown = local(moment)
    return f"{shown:%H:%M}" if shown.date() == day else f"{shown:%Y-%m-%d %H:%M}"


def recorded_time(recorded_at_utc: str, day: date | None = None) -> str:
    """When a journal record was written (stored in UTC, ISO 8601), as local time: with its
    zone, or only the time when ``day`` is the page's (its zone is in the header)."""
    try:
        moment = datetime.fromisoformat(recorded_at_utc)
    except ValueError:
        return recorded_at_utc  # never hidden, even when unreadable
    return clock(moment, day) if day is not None else stamp(moment)


def use_by_lines(p: Preparation, day: date | None) -> tuple[str, ...]:
    """The label's time limits of this preparation, times as ``clock`` gives them."""
    return (
        f"Reconstituted solution: use by {clock(p.reconstituted_use_by, day)}",
        f"Start the infusion by {clock(p.infusion_start_by, day)}",
        f"Complete the infusion by {clock(p.infusion_complete_by, day)}",
    )


def times_line(p: Preparation, prepared_at: datetime | None) -> str:
    """The times in one line, the zone stated once: "Prepared 2026-12-03 14:30 (UTC+01:00):
    reconstituted solution use by 15:30; start infusion by 17:30; complete by 20:30"."""
    if prepared_at is None:
        return "; ".join(use_by_lines(p, None))
    day = local(prepared_at).date()
    return (
        f"Prepared {stamp(prepared_at)}: reconstituted solution use by "
        f"{clock(p.reconstituted_use_by, day)}; start infusion by "
        f"{clock(p.infusion_start_by, day)}; complete by {clock(p.infusion_complete_by, day)}"
    )


# --- preparation --------------------------------------------------------------------------


def numbered_steps(result: DoseResult) -> tuple[str, ...]:
    """The compounding steps in order (core/preparation.py), numbered."""
    assert result.volume_ml is not None and result.dose_mg is not None
    p = result.preparation
    if p is None:
        return (
            f"1. Withdraw {format_quantity(result.volume_ml, 'mL')} of the "
            f"{format_quantity(label.RECONSTITUTED_MG_PER_ML, 'mg/mL')} reconstituted solution",
        )
    return tuple(f"{n}. {step}" for n, step in enumerate(preparation_steps(p, result.dose_mg), 1))


def preparation_notes(result: DoseResult, day: date | None = None) -> tuple[str, ...]:
    """What goes with the steps: what no stocked bag gives, the container, the times (with
    the zone once; ``day``: the page's date, whose zone the page states) and the premedication."""
    p = result.preparation
    if p is None:
        return ()
    lines = []
    if p.bag_advice:
        lines.append(f"No stocked bag fits: {p.bag_advice}")
    lines.append(f"Container: {p.container}")
    if day is None:
        prepared_at = result.inputs.preparation.prepared_at if result.inputs else None
        lines.append(times_line(p, prepared_at))
    else:
        lines += use_by_lines(p, day)
    lines += [f"Premedication: {line}" for line in p.premedication]
    return tuple(lines)


def preparation_lines(result: DoseResult) -> tuple[str, ...]:
    """The numbered steps, then their notes: the screen's and the terminal's preparation."""
    return numbered_steps(result) + preparation_notes(result)


# --- sources: how they are cited lives in core/citations.py (re-exported here) ----------
