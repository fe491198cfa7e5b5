"""Qt-free: the banner's status and second line, and each field's message, from the core's
issues — what the pharmacist must still enter, correct or check before there is a dose.

Not yet filled in is not an error to shout about (the banner lists it); a refused value is an
error beside its field; an unusual or old value is a warning until "I have checked the values"
is ticked, then a note.
"""

from __future__ import annotations

from collections.abc import Iterable

from ixempra_gui.core.models import DoseResult, FieldIssue, Severity, Status
from ixempra_gui.presentation.fields import FIELD_LABELS, MessageKind, StatusKind
from ixempra_gui.presentation.order_state import FieldMessage, FormInput


def _is_empty(form: FormInput, key: str) -> bool:
    value = getattr(form, key, None)
    return value is None or (isinstance(value, str) and not value.strip())


def status_kind(result: DoseResult, dates_block: bool) -> StatusKind:
    by_status = {
        Status.HOLD: StatusKind.HOLD,
        Status.CONTRAINDICATED: StatusKind.CONTRAINDICATED,
        Status.NOT_RECOMMENDED: StatusKind.NOT_RECOMMENDED,
        Status.STOP: StatusKind.STOP,
    }
    if result.status in by_status:
        return by_status[result.status]
    if result.ready_to_prepare and not dates_block:
        return StatusKind.READY
    return StatusKind.INPUT_NEEDED


def field_messages(
    form: FormInput, issues: Iterable[FieldIssue]
) -> tuple[dict[str, tuple[FieldMessage, ...]], list[str], list[str], list[str]]:
    """Inline messages per field, and the labels of fields still empty / wrong / to check."""
    inline: dict[str, list[FieldMessage]] = {}
    needed: list[str] = []
    wrong: list[str] = []
    to_check: list[str] = []
    for issue in issues:
        label = FIELD_LABELS.get(issue.field, issue.field.replace("_", " "))
        if issue.code in ("required", "invalid_choice") and _is_empty(form, issue.field):
            # Not yet filled in is not an error to shout about: the banner lists it.
            needed.append(label)
            continue
        if issue.code == "confirm_reduction":
            # A proposal waiting for the pharmacist: needed, said beside the tick.
            needed.append("confirmation of the proposed 20% decrease")
            inline.setdefault(issue.field, []).append(
                FieldMessage(MessageKind.WARNING, issue.message)
            )
            continue
        if issue.severity is Severity.STOP:
            kind = MessageKind.ERROR
            wrong.append(label)
        elif issue.blocks:
            kind = MessageKind.WARNING
            to_check.append(label)
        else:
            kind = MessageKind.NOTE
        text = issue.message + (" Acknowledged." if kind is MessageKind.NOTE else "")
        inline.setdefault(issue.field, []).append(FieldMessage(kind, text))
    return {k: tuple(v) for k, v in inline.items()}, needed, wrong, to_check


def _dedupe(labels: list[str]) -> str:
    return ", ".join(dict.fromkeys(labels))


def _input_needed_detail(needed: list[str], wrong: list[str], to_check: list[str]) -> str:
    parts = []
    if wrong:
        parts.append(f"Correct the marked fields: {_dedupe(wrong)}.")
    if needed:
        parts.append(f"Still needed: {_dedupe(needed)}.")
    if to_check:
        parts.append(
            f"Check {_dedupe(to_check)}, then tick “I have checked the values marked for checking”."
        )
    return " ".join(parts) or "Enter the order."


def banner_detail(
    result: DoseResult, kind: StatusKind, needed: list[str], wrong: list[str], to_check: list[str]
) -> str:
    """The banner's second line: what is still needed, the stop reason, or where the dose is."""
    if kind is StatusKind.INPUT_NEEDED:
        return _input_needed_detail(needed, wrong, to_check)
    ready = kind is StatusKind.READY
    stops = [r.message for r in result.reasons if r.severity is Severity.STOP]
    detail = stops[0] if stops else ("Dose, vials and billing below." if ready else "")
    gate = result.cycle_gate
    if ready and gate is not None and gate.passed is None:
        missing = ", ".join(c.label for c in gate.criteria if c.passed is None)
        detail += f" Start-of-cycle criteria not checked: {missing}."
    return detail
