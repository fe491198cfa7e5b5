"""The independent double check: compare two calculations of one order and decide whether the
second pharmacist may sign it as verified (issue #6, ASCO/ONS administration safety standards).

Qt-free, so the window's Verify dialog and any script share one rule:
- every difference between the two entries is listed, inputs and results alike;
- a difference in value is material; the same value typed differently (``170 cm`` and
  ``1.7 m``) is listed but is not;
- both calculations must be ready to prepare, the two users must be different people, and any
  material difference needs a comment that explains it before the check can be signed;
- the sign-off says which entry is the dose to prepare (the first unless the verifier's entry
  was found right), and the record holds both entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ixempra_gui.core.formatting import format_number, format_quantity
from ixempra_gui.core.models import DoseResult, ValidInputs
from ixempra_gui.core.units import Measurement
from ixempra_gui.core.wording import measurement_echo, units_phrase, vial_plan
from ixempra_gui.journal.identifiers import check_free_text, check_person, same_person


@dataclass(frozen=True)
class Difference:
    field: str  # "weight", "dose_mg", ...
    kind: str  # "input" or "result"
    first: str  # as shown to the user
    second: str
    material: bool  # False: same value, typed differently

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "kind": self.kind,
            "first": self.first,
            "second": self.second,
            "material": self.material,
        }


@dataclass(frozen=True)
class Comparison:
    first: DoseResult
    second: DoseResult
    differences: tuple[Difference, ...]

    @property
    def material(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if d.material)

    @property
    def matches(self) -> bool:
        """No difference in any value: the check can be signed without a comment."""
        return not self.material


# Differences listed but never material: when each entry was made, and each entry's own
# confirmation of a proposed reduction (both entries must be ready, so both confirmed).
_NOT_MATERIAL = frozenset({"prepared_at", "confirm_reduction"})


def _flat_inputs(inputs: object) -> list[tuple[str, object]]:
    """(field name, value) for every entered value, nested groups (cycle, preparation) opened."""
    out: list[tuple[str, object]] = []
    for f in fields(inputs):  # type: ignore[arg-type]
        value = getattr(inputs, f.name)
        if is_dataclass(value) and not isinstance(value, Measurement | type):
            out += _flat_inputs(value)
        else:
            out.append((f.name, value))
    return out


def _compare_inputs(a: ValidInputs | None, b: ValidInputs | None) -> list[Difference]:
    if a is None or b is None:
        return [
            Difference(
                "inputs", "input", "valid" if a else "invalid", "valid" if b else "invalid", True
            )
        ]
    out = []
    for (name, x), (_, y) in zip(_flat_inputs(a), _flat_inputs(b), strict=True):
        if isinstance(x, Measurement) and isinstance(y, Measurement):
            if x.value != y.value:
                out.append(Difference(name, "input", _text(x), _text(y), True))
            elif x.text != y.text:
                out.append(Difference(name, "input", _text(x), _text(y), False))
        elif x != y:
            out.append(Difference(name, "input", _text(x), _text(y), name not in _NOT_MATERIAL))
    return out


def _text(value: object) -> str:
    """How an entered value is shown in the list of differences."""
    if isinstance(value, Measurement):
        return measurement_echo(value)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, Decimal):
        return format_number(value)
    return str(getattr(value, "value", value))


def _qty(unit: str) -> Callable[[Decimal | int | None], str]:
    return lambda v: "—" if v is None else format_quantity(v, unit)


def _vials(r: DoseResult) -> str:
    if r.vials is None:
        return "—"
    return vial_plan(r.vials.counts)


def _billing(r: DoseResult) -> str:
    if r.billing is None:
        return "—"
    return f"{r.billing.hcpcs} {units_phrase(r.billing)}"


_RESULT_FIELDS: tuple[tuple[str, Callable[[DoseResult], str]], ...] = (
    ("status", lambda r: r.status.value),
    ("bsa_m2", lambda r: _qty("m²")(r.bsa.rounded_m2 if r.bsa else None)),
    ("bsa_used_m2", lambda r: _qty("m²")(r.bsa.used_m2 if r.bsa else None)),
    ("dose_level_mg_per_m2", lambda r: _qty("mg/m²")(r.dose_level_mg_per_m2)),
    ("dose_mg", lambda r: _qty("mg")(r.dose_mg)),
    ("vials", _vials),
    ("volume_ml", lambda r: _qty("mL")(r.volume_ml)),
    ("billing", _billing),
    ("diluent", lambda r: _text(r.preparation.diluent) if r.preparation else "—"),
    ("bag_ml", lambda r: _qty("mL")(r.preparation.bag_ml if r.preparation else None)),
    (
        "concentration_mg_per_ml",
        lambda r: _qty("mg/mL")(r.preparation.concentration_mg_per_ml if r.preparation else None),
    ),
    (
        "rate_ml_per_h",
        lambda r: _qty("mL/h")(r.preparation.rate_ml_per_h if r.preparation else None),
    ),
    (
        "infusion_hours",
        lambda r: _qty("h")(r.preparation.infusion_hours if r.preparation else None),
    ),
)


def compare(first: DoseResult, second: DoseResult) -> Comparison:
    """Every difference between two calculations of the same order, inputs first."""
    differences = _compare_inputs(first.inputs, second.inputs)
    for name, show in _RESULT_FIELDS:
        a, b = show(first), show(second)
        if a != b:
            differences.append(Difference(name, "result", a, b, True))
    return Comparison(first, second, tuple(differences))


class SignOffRefused(ValueError):
    """The double check may not be signed; ``problems`` says every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


DOSE_FROM = ("first", "second")


def _entry_json(inputs: ValidInputs | None) -> dict[str, str] | None:
    """One entry's values, as typed for measurements."""
    if inputs is None:
        return None
    return {
        name: value.text if isinstance(value, Measurement) else _text(value)
        for name, value in _flat_inputs(inputs)
    }


@dataclass(frozen=True)
class SignOff:
    """A double check that may be recorded: who prepared, who verified, why any difference was
    accepted, and which entry is the dose."""

    prepared_by: str
    verified_by: str
    comment: str
    comparison: Comparison
    dose_from: str = "first"

    @property
    def result(self) -> DoseResult:
        """The calculation to prepare and record."""
        return self.comparison.first if self.dose_from == "first" else self.comparison.second

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "independent re-entry",
            "comment": self.comment,
            "dose_from": self.dose_from,
            "first_entry": _entry_json(self.comparison.first.inputs),
            "second_entry": _entry_json(self.comparison.second.inputs),
            "differences": [d.to_json() for d in self.comparison.differences],
        }


def sign_off_problems(
    comparison: Comparison,
    prepared_by: str,
    verified_by: str,
    comment: str = "",
    dose_from: str = "first",
) -> list[str]:
    """Every reason the check cannot be signed yet (empty: it can)."""
    problems = []
    if dose_from not in DOSE_FROM:
        problems.append(f"Dose from: 'first' or 'second', not {dose_from!r}.")
    for label, who in (("Prepared by", prepared_by), ("Verified by", verified_by)):
        problem = check_person(label, who)
        if problem:
            problems.append(problem)
    if not problems and same_person(prepared_by, verified_by):
        problems.append(
            "Verified by: the second check must be done by another person than the one who "
            "prepared the calculation."
        )
    for which, result in (("first", comparison.first), ("second", comparison.second)):
        if not result.ready_to_prepare:
            problems.append(
                f"The {which} calculation is not ready to prepare (status {result.status.value}):"
                " there is no dose to verify."
            )
    if comment_problem := check_free_text("Comment", comment):
        problems.append(comment_problem)
    if comparison.material and not comment.strip():
        names = ", ".join(d.field for d in comparison.material)
        problems.append(
            f"The two entries differ ({names}): explain the difference in the comment, or "
            "correct the entry, before signing."
        )
    return problems


def sign_off(
    comparison: Comparison,
    prepared_by: str,
    verified_by: str,
    comment: str = "",
    dose_from: str = "first",
) -> SignOff:
    """A signed double check; SignOffRefused listing every problem when it may not be signed."""
    problems = sign_off_problems(comparison, prepared_by, verified_by, comment, dose_from)
    if problems:
        raise SignOffRefused(problems)
    return SignOff(prepared_by, verified_by, comment.strip(), comparison, dose_from)
