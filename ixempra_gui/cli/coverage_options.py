"""The coverage options of ``ixempra-calc`` (issue 5), kept apart from the dose options.

Coverage is evaluated when ``--request`` or ``--diagnosis`` is given; the result goes into the
JSON as ``coverage`` (null otherwise) and into the text summary. It never changes the exit status
of the dose: a diagnosis code the policy does not accept is a coverage finding, not an error.
A malformed answer (``--setting foo``, ``--request-date 31/08/2025``, an unknown list item) is
invalid input: exit 2 naming the field, like any other bad option. Never imports Qt.
"""

from __future__ import annotations

import argparse
from dataclasses import fields
from datetime import date

from ixempra_gui.core.coverage import CoverageResult, evaluate_coverage
from ixempra_gui.core.coverage_input import CoverageOrder, parse_coverage_order
from ixempra_gui.core.models import DoseResult, Status
from ixempra_gui.core.policy import load_policy


def add_coverage_arguments(parser: argparse.ArgumentParser) -> None:
    """The coverage options; each maps onto the CoverageOrder field of the same name."""
    policy = load_policy()
    group = parser.add_argument_group(
        f"coverage against payer policy {policy.id} (evaluated when --request or --diagnosis "
        "is given)"
    )
    group.add_argument(
        "--request", metavar="initial|renewal", help="request type (default initial)"
    )
    group.add_argument(
        "--diagnosis", metavar="CODE", help="ICD-10 code, e.g. C50.911 (c50911 is read the same)"
    )
    group.add_argument(
        "--setting", metavar="metastatic|recurrent|adjuvant|other", help="disease setting"
    )
    group.add_argument(
        "--resistant-to",
        metavar="LIST",
        help="comma list of anthracycline, taxane, capecitabine (the disease is resistant or "
        "refractory to them)",
    )
    group.add_argument(
        "--anthracycline-contraindicated",
        action="store_true",
        help="further anthracycline therapy is contraindicated",
    )
    group.add_argument(
        "--progression-on-ixempra",
        action="store_true",
        help="the disease progressed while on Ixempra",
    )
    group.add_argument(
        "--response",
        metavar="response|stable|progression",
        help="tumor response on Ixempra (renewal)",
    )
    group.add_argument(
        "--unacceptable-toxicity",
        metavar="LIST",
        help="comma list of "
        + ", ".join(t.code for t in policy.coverage.toxicities)
        + " (renewal)",
    )
    group.add_argument(
        "--request-date",
        metavar="DATE",
        help="ISO date YYYY-MM-DD the authorization starts (default today)",
    )


def coverage_order_from_args(args: argparse.Namespace) -> CoverageOrder | None:
    """The answers given, or None when coverage was not asked for (no --request, --diagnosis)."""
    given = vars(args)
    if given.get("request") is None and given.get("diagnosis") is None:
        return None
    return CoverageOrder(
        **{f.name: given[f.name] for f in fields(CoverageOrder) if f.name in given}
    )


def ignored_coverage_options(args: argparse.Namespace) -> list[str]:
    """Coverage options given without --request or --diagnosis: they have no effect."""
    given = vars(args)
    if given.get("request") is not None or given.get("diagnosis") is not None:
        return []
    return [
        "--" + f.name.replace("_", "-")
        for f in fields(CoverageOrder)
        if given.get(f.name) not in (None, False)
    ]


def with_coverage(
    args: argparse.Namespace,
    dose: DoseResult,
    today: date | None = None,
    prior_units: int | None = None,
) -> tuple[DoseResult, CoverageResult | None]:
    """Evaluate coverage beside the dose. Malformed answers make the result invalid input.

    ``prior_units``: units billed in the 21 days before, from the journal (--patient-id), so the
    dosing limit checks the whole window; None when not known."""
    order = coverage_order_from_args(args)
    if order is None:
        return dose, None
    request, issues = parse_coverage_order(order, load_policy(), today or date.today())
    if issues:
        return DoseResult(status=Status.INVALID_INPUT, issues=(*dose.errors, *issues)), None
    if request is None or dose.status is Status.INVALID_INPUT:
        return dose, None
    return dose, evaluate_coverage(request, dose, prior_units=prior_units)
