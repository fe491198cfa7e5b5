"""The history options of ``ixempra-calc`` (issue 6), kept apart from the dose options.

``--patient-id`` adds the key ``history`` (21-day units against the policy limit, weight/BSA
change and cycle interval since the last verified dose) from the verification journal: the
site journal when one is configured (``journal.site_config``; unreachable: "history NOT
checked", null figures), else the file in ``$IXEMPRA_DATA_DIR`` or the user data folder; no
journal is ever created by a calculation.
History warnings never change the exit status of the dose. A malformed ``--administered-on`` or
patient id is invalid input: exit 2 naming the field. The journal is imported only when asked
for, so a plain calculation starts as fast as before. Never imports Qt.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from ixempra_gui.core.models import DoseResult, FieldIssue, Severity, Status

if TYPE_CHECKING:
    from ixempra_gui.journal.history import History


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    """--patient-id and --administered-on."""
    group = parser.add_argument_group("history checks (verification journal)")
    group.add_argument(
        "--patient-id",
        metavar="ID",
        help="add the 21-day units, weight/BSA change and cycle-interval checks for this "
        "patient from the journal ($IXEMPRA_DATA_DIR, else the user data folder)",
    )
    group.add_argument(
        "--administered-on",
        metavar="YYYY-MM-DD",
        help="administration date of this dose (default today)",
    )


def history_option_issues(args: argparse.Namespace) -> tuple[date, tuple[FieldIssue, ...]]:
    """The administration date, and the issues with --patient-id / --administered-on."""
    # only with --patient-id: a plain calculation never loads the journal (25-60 ms)
    from ixempra_gui.journal.entries import parse_administration_date
    from ixempra_gui.journal.identifiers import check_patient_id

    patient_id = getattr(args, "patient_id", None)
    when_text = getattr(args, "administered_on", None)
    issues = []
    if patient_id is None and when_text is not None:
        message = "Administration date: --administered-on needs --patient-id."
        issues.append(FieldIssue("administered_on", "needs_patient_id", message, Severity.STOP))
    if patient_id is not None and (problem := check_patient_id(patient_id)):
        issues.append(FieldIssue("patient_id", "invalid_patient_id", problem, Severity.STOP))
    when = date.today()
    if when_text is not None:
        try:
            when = parse_administration_date(when_text)
        except ValueError as exc:
            issues.append(FieldIssue("administered_on", "invalid_date", str(exc), Severity.STOP))
    return when, tuple(issues)


def with_history(args: argparse.Namespace, result: DoseResult) -> tuple[DoseResult, History | None]:
    """The result (invalid input when the history options are malformed) and its history;
    None when --patient-id was not given or the dose inputs are invalid."""
    if getattr(args, "patient_id", None) is None and getattr(args, "administered_on", None) is None:
        return result, None
    when, issues = history_option_issues(args)
    if issues:
        return DoseResult(status=Status.INVALID_INPUT, issues=result.issues + issues), None
    # only with --patient-id: a plain calculation never loads the journal (25-60 ms)
    from ixempra_gui.journal.configured import history_for  # the site journal or the file

    return result, history_for(args.patient_id, result, when)


def history_text_lines(history: History) -> list[str]:
    # only with --patient-id: a plain calculation never loads the journal (25-60 ms)
    from ixempra_gui.journal.configured import location
    from ixempra_gui.journal.errors import JournalError
    from ixempra_gui.journal.history import history_text

    try:
        journal = location()
    except JournalError:
        journal = "the site settings cannot be used (see the warning)"
    return [*history_text(history).splitlines(), f"            from the {journal}"]
