"""Turn an Order (text) into exact, plausible inputs, or into field issues that say why not.

Hard ranges are errors; soft ranges are warnings the user must acknowledge (clinical-rules §1).
Every issue names its field and what the field accepts.
"""

from __future__ import annotations

from ixempra_gui.core import units
from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import BsaFormula, FieldIssue, Order, Regimen, Severity, ValidInputs
from ixempra_gui.core.units import Measurement
from ixempra_gui.core.validation_checks import bmi_issues, low_lab_issues
from ixempra_gui.core.validation_cycle import cycle_inputs
from ixempra_gui.core.validation_fields import PLAUSIBILITY, Plausibility, choice, range_issues
from ixempra_gui.core.validation_interactions import interaction_issues
from ixempra_gui.core.validation_preparation import preparation_inputs

__all__ = ["PLAUSIBILITY", "Plausibility", "validate"]


def validate(order: Order) -> tuple[ValidInputs | None, tuple[FieldIssue, ...]]:
    """Parse and check every field; inputs only when no issue blocks."""
    issues: list[FieldIssue] = []
    measured: dict[str, Measurement] = {}
    defaults = dict(order.default_units)
    for spec in units.QUANTITY_FIELDS:
        try:
            m = units.parse_measurement(spec, getattr(order, spec.key), defaults.get(spec.key))
        except FieldError as err:
            issues.append(FieldIssue(err.field, err.code, err.message, Severity.STOP))
            continue
        measured[spec.key] = m
        issues.extend(range_issues(spec, m, order))
    issues.extend(low_lab_issues(order, measured, issues))
    issues.extend(bmi_issues(order, measured, issues))
    regimen, issue = choice("regimen", order.regimen)
    if issue:
        issues.append(issue)
    formula, issue = choice("bsa_formula", order.bsa_formula)
    if issue:
        issues.append(issue)
    issues.extend(interaction_issues(order))
    cycle = cycle_inputs(order, issues)
    preparation = preparation_inputs(order, issues)
    if any(i.blocks for i in issues):
        return None, tuple(issues)
    assert isinstance(regimen, Regimen) and isinstance(formula, BsaFormula)
    return (
        ValidInputs(
            regimen=regimen,
            bsa_formula=formula,
            strong_cyp3a4_inhibitor=bool(order.strong_cyp3a4_inhibitor),
            gilbert_syndrome=bool(order.gilbert_syndrome),
            cremophor_hypersensitivity=bool(order.cremophor_hypersensitivity),
            cycle=cycle,
            preparation=preparation,
            **measured,
        ),
        tuple(issues),
    )
