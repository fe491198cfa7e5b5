"""What the banner and the print buttons say: status words, no logic.

Qt-free and light: the window is painted from these before the core is imported
(bench/startup.py). presentation/fields.py (the field registry) and the presenter re-export them.
"""

from __future__ import annotations

from enum import StrEnum

DASH = "—"


class StatusKind(StrEnum):
    """What the banner says. Only READY allows printing."""

    READY = "ready"
    HOLD = "hold"
    CONTRAINDICATED = "contraindicated"
    NOT_RECOMMENDED = "not_recommended"
    STOP = "stop"
    INPUT_NEEDED = "input_needed"


#: Banner words; the same as the CLI's (core/report.py STATUS_WORDS, pinned by a unit test).
BANNER_TEXT = {
    StatusKind.READY: "READY TO PREPARE",
    StatusKind.HOLD: "NO DOSE: HOLD",
    StatusKind.CONTRAINDICATED: "NO DOSE: CONTRAINDICATED",
    StatusKind.NOT_RECOMMENDED: "NO DOSE: NOT RECOMMENDED",
    StatusKind.STOP: "NO DOSE: STOP",
    StatusKind.INPUT_NEEDED: "NO DOSE: INPUT NEEDED",
}

#: Gauge thresholds: every ×ULN limit of the label's hepatic rules (clinical-rules §3).
GAUGE_MAX = 15.0


class MessageKind(StrEnum):
    ERROR = "error"  # stops the dose
    WARNING = "warning"  # stops the dose until acknowledged
    NOTE = "note"  # acknowledged warning, or information


#: What the window and the worksheet say until the double check is recorded in the journal.
NOT_VERIFIED = "Not yet verified: no journal record for this dose."

#: What the banner says before anything is entered.
INITIAL_DETAIL = "Enter the order: height, weight, regimen and liver tests."

_NOT_PRINTABLE = {
    StatusKind.INPUT_NEEDED: "no dose yet: the order is incomplete, or a field needs correcting "
    "or checking",
    StatusKind.HOLD: "the dose is on hold (start-of-cycle criteria not met)",
    StatusKind.CONTRAINDICATED: "the regimen is contraindicated for these values",
    StatusKind.NOT_RECOMMENDED: "Ixempra is not recommended for these values",
    StatusKind.STOP: "a stop reason stands (see the reasons)",
}


def print_tooltip(kind: StatusKind) -> str:
    """Why Print and Save as PDF are (not) available."""
    if kind is StatusKind.READY:
        return "The compounding worksheet for this dose: print it, or save it as a PDF."
    return (
        f"Not available: {_NOT_PRINTABLE[kind]}. A worksheet is printed only for a dose that is "
        "ready to prepare."
    )


def not_ready_reason(kind: StatusKind) -> str:
    """Why a dose of this status is not ready to prepare ("" when it is)."""
    return "" if kind is StatusKind.READY else _NOT_PRINTABLE[kind]
