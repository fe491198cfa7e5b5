"""``ixempra-calc``: the scriptable calculator. argparse → core → JSON or an ISMP-style summary.

Exit status (the one table, also in --help and the README): 0 ready to prepare; 2 invalid or
missing input, including unacknowledged warnings and an unconfirmed reduction; 3 no dose
(contraindicated, not recommended, hold, stop). Coverage (cli_coverage.py) and history
(cli_history.py) are reported beside the dose and never change the exit status.
Never imports Qt (import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any, NoReturn

from ixempra_gui import __version__
from ixempra_gui.cli.coverage_options import (
    add_coverage_arguments,
    ignored_coverage_options,
    with_coverage,
)
from ixempra_gui.cli.guard import guarded
from ixempra_gui.cli.history_options import add_history_arguments, history_text_lines, with_history
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage_report import coverage_text_lines, coverage_to_json
from ixempra_gui.core.models import DoseResult, Order, Severity, Status
from ixempra_gui.core.order_fields import BY_KEY, CLI_FIELDS, Kind, Section
from ixempra_gui.core.report import text_summary, to_json_dict
from ixempra_gui.core.toxicity import TABLE_1

EXIT_OK = 0
EXIT_INVALID = 2
EXIT_NO_DOSE = 3
EXIT_TABLE = (
    "Exit status: 0 ready to prepare; 2 invalid or missing input (including unacknowledged "
    "warnings and an unconfirmed reduction); 3 no dose (contraindicated, not recommended, hold, "
    "stop); 6 the output was closed early (| head); 7 an internal error (please report it). "
    "Coverage and history never change it."
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


def table_1_epilog() -> str:
    """The --worst-event codes, one per line (argparse would break them at their hyphens)."""
    lines = ["--worst-event ROW codes (label Table 1, dose modification for toxicity):"]
    lines += [f"  {r.code:<40} {r.description}: {r.action.words}" for r in TABLE_1]
    return "\n".join(lines)  # an epilog is not %-formatted (no "%(prog)" in it)


def build_parser(wants_json: bool = False) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ixempra-calc",
        allow_abbrev=False,  # "--dose 80" must not silently mean "--dose-level 80"
        description="Ixabepilone (Ixempra) dose, vials, volume and J9207 billing units.",
        epilog=table_1_epilog() + "\n\n" + EXIT_TABLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        wants_json=wants_json,
    )
    add_order_arguments(parser)
    add_coverage_arguments(parser)
    add_history_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


#: The option groups of --help, by the section the field table gives each field (the rest:
#: the main list).
OPTION_GROUPS = {
    Section.CYCLE: "start of cycle and dose level",
    Section.PREPARATION: "preparation",
}


def add_order_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per order field the field table gives a flag (core/order_fields.py): its
    flag, its help, its metavar; ``dest`` is the Order attribute, so ``order_from_args`` maps
    it without a second list. A flag is ``store_true``, a repeatable choice ``append``."""
    groups = {section: parser.add_argument_group(title) for section, title in OPTION_GROUPS.items()}
    defaults = {f.name: f.default for f in fields(Order)}
    for declared in CLI_FIELDS:
        assert declared.cli_flag is not None and declared.cli_help, declared.key
        target: argparse._ActionsContainer = groups.get(declared.section, parser)
        options: dict[str, Any] = {
            "dest": declared.key,
            "help": declared.cli_help.replace("%", "%%"),
        }
        if declared.kind is Kind.FLAG:
            options["action"] = "store_true"
        else:
            options["metavar"] = declared.cli_metavar or "VALUE"
            if declared.kind is Kind.CHOICES:
                options["action"] = "append"
            elif isinstance(defaults.get(declared.key), str):
                options["default"] = defaults[declared.key]  # --bsa-formula: mosteller
        target.add_argument(declared.cli_flag, **options)


def order_from_args(args: argparse.Namespace) -> Order:
    """Each option maps onto the Order field of the same name (``--ast-uln`` → ``ast_uln``)."""
    given = dict(vars(args))
    if not given.get("prepared_at"):
        given["prepared_at"] = datetime.now().astimezone().isoformat(timespec="minutes")
    for repeated in (f.key for f in CLI_FIELDS if f.kind is Kind.CHOICES):
        given[repeated] = tuple(given.get(repeated) or ())
    return Order(**{f.name: given[f.name] for f in fields(Order) if f.name in given})


def acknowledged_lines(result: DoseResult) -> list[str]:
    """The warnings accepted (each with the code that accepts it alone), for stderr."""
    return [
        f"acknowledged {i.ack_code}: {i.message}"
        for i in result.issues
        if i.severity is Severity.WARNING and i.acknowledged
    ]


def exit_status(result: DoseResult) -> int:
    """0 ready; 2 invalid input; 3 no dose (contraindicated, not recommended, hold, stop)."""
    if result.status is Status.INVALID_INPUT:
        return EXIT_INVALID
    if result.status is Status.OK:
        return EXIT_OK
    return EXIT_NO_DOSE


def option_for(field: str) -> str:
    """The command-line option of an order field (``current_nonheme_toxicity_grade`` →
    ``--nonheme-toxicity-grade``), from the one field table (core/order_fields.py)."""
    declared = BY_KEY.get(field)
    if declared is not None and declared.cli_flag:
        return declared.cli_flag
    return "--" + field.replace("_", "-")


def issue_lines(result: DoseResult) -> list[str]:
    """One stderr line per blocking issue: the field, its option, the message, and for a
    warning the code that accepts it."""
    lines = []
    for issue in result.errors:
        where = f"{issue.field} ({option_for(issue.field)})"
        if issue.severity is Severity.WARNING:
            lines.append(
                f"warning to check: {where}: {issue.message}. After checking: --acknowledge "
                f"{issue.ack_code}"
            )
        else:
            lines.append(f"error: {where}: {issue.message}")
    return lines


@guarded("ixempra-calc")  # no traceback: a closed pipe exits 6, a fault 7 (cli_guard.py)
def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(wants_json="--json" in args_list)
    args = parser.parse_args(args_list)
    result, history = with_history(args, calculate(order_from_args(args)))
    prior_units = history.prior_units_21d if history else None
    result, coverage = with_coverage(args, result, prior_units=prior_units)
    messages = acknowledged_lines(result) + issue_lines(result)
    if ignored := ignored_coverage_options(args):
        messages.append(
            f"warning: {', '.join(ignored)} ignored: give --request or --diagnosis to check "
            "coverage"
        )
    if args.json:
        payload = to_json_dict(result)
        if result.status is not Status.INVALID_INPUT:
            payload["coverage"] = coverage_to_json(coverage) if coverage else None
            if history is not None:
                payload["history"] = history.to_json()
        out = json.dumps(payload, ensure_ascii=False, indent=1)
    else:
        lines = [text_summary(result)]
        if coverage is not None:
            lines += coverage_text_lines(coverage)
        if history is not None:
            lines += history_text_lines(history)
        out = "\n".join(lines)
    write_out(out, [f"ixempra-calc: {m}" for m in messages])
    return exit_status(result)


def write_out(stdout_text: str, stderr_lines: list[str]) -> None:
    """The messages on stderr, the result on stdout (a closed pipe: cli_guard, exit 6)."""
    for line in stderr_lines:
        print(line, file=sys.stderr)
    print(stdout_text, flush=True)


if __name__ == "__main__":
    sys.exit(main())
