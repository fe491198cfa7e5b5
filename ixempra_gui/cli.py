"""``ixempra-calc``: the scriptable calculator. argparse → core → JSON or an ISMP-style summary.

Exit status: 0 a dose; 3 no dose (contraindicated, not recommended, hold); 2 invalid input.
Coverage (cli_coverage.py) and history (cli_history.py) are reported beside the dose and never
change the exit status.
Never imports Qt (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import NoReturn

from ixempra_gui import __version__
from ixempra_gui.cli_coverage import add_coverage_arguments, ignored_coverage_options, with_coverage
from ixempra_gui.cli_guard import guarded
from ixempra_gui.cli_history import add_history_arguments, history_text_lines, with_history
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage_report import coverage_text_lines, coverage_to_json
from ixempra_gui.core.models import DoseResult, Order, Status
from ixempra_gui.core.report import text_summary, to_json_dict

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_NO_DOSE = 3

_QUANTITY_OPTIONS = (
    ("--height", "height, e.g. '170 cm', '5 ft 7 in', 5'7\" (bare number: cm)"),
    ("--weight", "weight, e.g. '70 kg', '154 lb' (bare number: kg)"),
    ("--ast", "AST, e.g. '30 U/L', '0.5 ukat/L' (bare number: U/L)"),
    ("--ast-uln", "AST upper limit of normal"),
    ("--alt", "ALT, e.g. '25 U/L' (bare number: U/L)"),
    ("--alt-uln", "ALT upper limit of normal"),
    ("--bilirubin", "total bilirubin, e.g. '0.8 mg/dL', '14 umol/L' (bare number: mg/dL)"),
    ("--bilirubin-uln", "total bilirubin upper limit of normal"),
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports its own errors in the JSON contract when --json was asked for."""

    def __init__(self, *args: object, wants_json: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.wants_json = wants_json

    def error(self, message: str) -> NoReturn:
        if self.wants_json:
            payload = {
                "status": "invalid_input",
                "errors": [{"field": "arguments", "code": "usage", "message": message}],
            }
            print(json.dumps(payload))
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: arguments: {message}", file=sys.stderr)
        sys.exit(EXIT_INVALID)


def build_parser(wants_json: bool = False) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ixempra-calc",
        allow_abbrev=False,  # "--dose 80" must not silently mean "--dose-level 80"
        description="Ixabepilone (Ixempra) dose, vials, volume and J9207 billing units.",
        epilog="Exit status: 0 a dose; 3 no dose (contraindicated / not recommended / hold); "
        "2 invalid input. Coverage never changes it.",
        wants_json=wants_json,
    )
    for option, help_text in _QUANTITY_OPTIONS:
        parser.add_argument(option, metavar="VALUE", help=help_text)
    parser.add_argument(
        "--regimen", metavar="monotherapy|capecitabine", help="Ixempra alone or with capecitabine"
    )
    parser.add_argument(
        "--bsa-formula",
        default="mosteller",
        metavar="mosteller|dubois|haycock|gehan-george|boyd",
        help="BSA formula (default mosteller)",
    )
    parser.add_argument(
        "--strong-cyp3a4-inhibitor",
        action="store_true",
        help="the patient takes a strong CYP3A4 inhibitor (level 20 mg/m²)",
    )
    parser.add_argument(
        "--gilbert-syndrome",
        action="store_true",
        help="bilirubin is raised by Gilbert's syndrome (monotherapy table only)",
    )
    parser.add_argument(
        "--acknowledge-warnings",
        action="store_true",
        help="accept values outside the usual range after checking them",
    )
    _add_cycle_arguments(parser)
    add_coverage_arguments(parser)
    add_history_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _add_cycle_arguments(parser: argparse.ArgumentParser) -> None:
    """Cycle decisions and preparation (issue #3): all optional."""
    cycle = parser.add_argument_group("cycle decisions")
    cycle.add_argument("--anc", metavar="VALUE", help="ANC, e.g. '1800 /mm3', '1.8 10^9/L'")
    cycle.add_argument(
        "--platelets", metavar="VALUE", help="platelets, e.g. '150000 /mm3', '150 10^9/L'"
    )
    cycle.add_argument(
        "--nonheme-toxicity-grade",
        metavar="0..4",
        help="worst non-hematologic toxicity grade since the last cycle",
    )
    cycle.add_argument(
        "--toxicity-reductions", metavar="N", help="prior 20%% reductions for toxicity (0..3)"
    )
    cycle.add_argument(
        "--reduction-mode",
        metavar="relative|absolute",
        help="relative: 20%% of the current level each time (default); "
        "absolute: 20%% of the level before reductions",
    )
    cycle.add_argument(
        "--reduction-reason",
        metavar="TEXT",
        help="why the dose was reduced (required with reductions; recorded)",
    )
    cycle.add_argument(
        "--hepatic-escalation-level",
        metavar="LEVEL",
        help="later-cycle escalation from the moderate-impairment 20 mg/m², 20..30 mg/m2",
    )
    cycle.add_argument(
        "--strong-cyp3a4-inducer",
        action="store_true",
        help="strong CYP3A4 inducer (prescribed level up to 60 mg/m², over 4 h)",
    )
    cycle.add_argument(
        "--dose-level",
        metavar="LEVEL",
        help="prescribed level, e.g. '32 mg/m2', checked against the rules",
    )
    cycle.add_argument(
        "--round-to-vial-within",
        metavar="PCT",
        help="round the dose to a vial boundary within PCT %% (off by default)",
    )
    prep = parser.add_argument_group("preparation")
    prep.add_argument(
        "--diluent",
        metavar="lactated-ringers|sodium-chloride",
        help="infusion fluid (default lactated-ringers)",
    )
    prep.add_argument(
        "--bag-sizes",
        metavar="LIST",
        help="stocked bag sizes in mL, in order of preference (default 250,100,500)",
    )
    prep.add_argument(
        "--prior-hypersensitivity",
        action="store_true",
        help="prior hypersensitivity reaction (adds a corticosteroid)",
    )
    prep.add_argument(
        "--prepared-at",
        metavar="ISO-8601",
        help="when the dose is prepared (default now); sets the use-by times",
    )


def order_from_args(args: argparse.Namespace) -> Order:
    """Each option maps onto the Order field of the same name (``--ast-uln`` → ``ast_uln``)."""
    given = dict(vars(args))
    if not given.get("prepared_at"):
        given["prepared_at"] = datetime.now().astimezone().isoformat(timespec="minutes")
    return Order(**{f.name: given[f.name] for f in fields(Order) if f.name in given})


def exit_status(result: DoseResult) -> int:
    if result.status is Status.INVALID_INPUT:
        return EXIT_INVALID
    if result.status is Status.OK:
        return EXIT_OK
    return EXIT_NO_DOSE


@guarded("ixempra-calc")  # no traceback: a closed pipe exits 6, a fault 7 (cli_guard.py)
def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(wants_json="--json" in argv)
    args = parser.parse_args(argv)
    result, history = with_history(args, calculate(order_from_args(args)))
    prior_units = history.prior_units_21d if history else None
    result, coverage = with_coverage(args, result, prior_units=prior_units)
    for issue in result.errors:
        option = "--" + issue.field.replace("_", "-")
        print(f"ixempra-calc: error: {issue.field} ({option}): {issue.message}", file=sys.stderr)
    if ignored := ignored_coverage_options(args):
        print(
            f"ixempra-calc: warning: {', '.join(ignored)} ignored: give --request or --diagnosis "
            "to check coverage",
            file=sys.stderr,
        )
    if args.json:
        payload = to_json_dict(result)
        if result.status is not Status.INVALID_INPUT:
            payload["coverage"] = coverage_to_json(coverage) if coverage else None
            if history is not None:
                payload["history"] = history.to_json()
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        lines = [text_summary(result)]
        if coverage is not None:
            lines += coverage_text_lines(coverage)
        if history is not None:
            lines += history_text_lines(history)
        print("\n".join(lines))
    return exit_status(result)


if __name__ == "__main__":
    sys.exit(main())
