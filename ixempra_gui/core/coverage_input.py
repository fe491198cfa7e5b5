"""The coverage answers: as typed (CoverageOrder) → checked (CoverageRequest) or field issues.

Decision (issue 5): a malformed *answer* (a request type, setting, response, list item or date
that is not one of the accepted values) is invalid input, reported like any other field error
(exit 2 in the CLI, naming the field). A well-formed but unacceptable *diagnosis code* is not an
input error: it is a coverage finding (an unmet criterion with its reason), because the question
"does this order meet the policy?" then has a clear answer: no, and why.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.models import FieldIssue, Severity
from ixempra_gui.core.policy import Policy

NONE_WORD = "none"  # an explicit empty list: "--unacceptable-toxicity none"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A request may be dated up to a year ahead (a renewal prepared early); issue 13.5.
LATEST_REQUEST_DAYS_AHEAD = 366


@dataclass(frozen=True)
class CoverageOrder:
    """The coverage answers as entered (CLI options or form fields); lists are comma-separated."""

    request: str | None = None
    diagnosis: str | None = None
    setting: str | None = None
    resistant_to: str | None = None
    anthracycline_contraindicated: bool = False
    progression_on_ixempra: bool = False
    response: str | None = None
    unacceptable_toxicity: str | None = None
    request_date: str | None = None  # ISO date; None: today


@dataclass(frozen=True)
class CoverageRequest:
    """Checked coverage answers. The diagnosis stays as typed: the evaluation judges it."""

    request: RequestType
    diagnosis: str
    request_date: date
    setting: Setting | None = None
    resistant_to: frozenset[PriorTherapy] = frozenset()
    anthracycline_contraindicated: bool = False
    progression_on_ixempra: bool = False
    response: Response | None = None
    unacceptable_toxicities: tuple[str, ...] = ()  # policy toxicity codes, in policy order
    request_defaulted: bool = False  # no request type was given: evaluated as initial


def _accepted(values: list[str]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def _choice(
    field: str, label: str, text: str | None, enum: type[StrEnum], issues: list[FieldIssue]
) -> StrEnum | None:
    if text is None or not text.strip():
        return None
    try:
        return enum(text.strip().lower())
    except ValueError:
        accepted = _accepted([e.value for e in enum])
        issues.append(
            FieldIssue(
                field,
                "not_a_choice",
                f"{label}: {_shown(text)} is not accepted. Accepted: {accepted}.",
                Severity.STOP,
            )
        )
        return None


def _list(
    field: str, label: str, text: str | None, accepted: list[str], issues: list[FieldIssue]
) -> list[str]:
    """A comma list of accepted words (case-insensitive, each at most once in the result)."""
    if text is None or not text.strip() or text.strip().lower() == NONE_WORD:
        return []
    items = [item.strip().lower() for item in text.split(",")]
    bad = list(dict.fromkeys(item for item in items if item not in accepted))
    if bad:
        shown = ", ".join(_shown(b) if b else "an empty item" for b in bad[:5])
        issues.append(
            FieldIssue(
                field,
                "not_a_choice",
                f"{label}: {shown} not accepted. Accepted: a comma list of "
                f"{_accepted(accepted)}, or {NONE_WORD}.",
                Severity.STOP,
            )
        )
        return []
    return [a for a in accepted if a in items]


def _shown(text: str) -> str:
    """Typed text for a message: short, and never a control character or an escape sequence
    sent back to a terminal."""
    short = text if len(text) <= 40 else text[:40] + "…"
    return f"'{short}'" if short.isprintable() else ascii(short)


def _odd_character(text: str) -> str | None:
    """The first character no answer may hold: a control or invisible one, or a digit that is
    not 0–9 (١٧٠ or １７０ would read as 170 elsewhere)."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"
        if ch.isdigit() and ch not in "0123456789":
            name = unicodedata.name(ch, "digit")
            return f"'{ch}' U+{ord(ch):04X} {name} (not an ASCII digit: type 0–9)"
    return None


def _date(
    text: str | None, today: date, issues: list[FieldIssue], earliest: date | None = None
) -> date:
    """The request date: ISO YYYY-MM-DD (digits 0–9) from the day the policy's criteria took
    effect to a year after today; empty means today."""
    if text is None or not text.strip():
        return today
    value = text.strip()
    latest = today + timedelta(days=LATEST_REQUEST_DAYS_AHEAD)

    def refuse(message: str) -> date:
        issues.append(FieldIssue("request_date", "bad_date", message, Severity.STOP))
        return today

    if len(value) <= 40 and (odd := _odd_character(value)):
        return refuse(f"Request date: the character {odd} is not accepted.")
    try:
        if len(value) != 10 or not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        parsed = date.fromisoformat(value)
    except ValueError:
        return refuse(
            f"Request date: {_shown(text)} is not a date. Accepted: an ISO date YYYY-MM-DD "
            "(e.g. 2025-08-31); empty means today."
        )
    if earliest is not None and parsed < earliest:
        return refuse(
            f"Request date: {parsed.isoformat()} is before {earliest.isoformat()}, when the "
            "policy's criteria checked here took effect. Accepted: "
            f"{earliest.isoformat()} to {latest.isoformat()}."
        )
    if parsed > latest:
        return refuse(
            f"Request date: {parsed.isoformat()} is more than a year from today. Accepted: "
            f"{(earliest or parsed).isoformat()} to {latest.isoformat()}."
        )
    return parsed


def _iso_or_none(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_coverage_order(
    order: CoverageOrder, policy: Policy, today: date
) -> tuple[CoverageRequest | None, tuple[FieldIssue, ...]]:
    """Check every answer; return the request, or None and one issue per bad field."""
    issues: list[FieldIssue] = []
    request = _choice("request", "Request type", order.request, RequestType, issues)
    setting = _choice("setting", "Disease setting", order.setting, Setting, issues)
    response = _choice("response", "Response", order.response, Response, issues)
    resistant = _list(
        "resistant_to",
        "Resistant to",
        order.resistant_to,
        [t.value for t in PriorTherapy],
        issues,
    )
    toxicities = _list(
        "unacceptable_toxicity",
        "Unacceptable toxicity",
        order.unacceptable_toxicity,
        [t.code for t in policy.coverage.toxicities],
        issues,
    )
    request_date = _date(order.request_date, today, issues, _iso_or_none(policy.criteria_effective))
    if issues:
        return None, tuple(issues)
    return (
        CoverageRequest(
            request=RequestType(request) if request else RequestType.INITIAL,
            diagnosis=order.diagnosis or "",
            request_date=request_date,
            setting=Setting(setting) if setting else None,
            resistant_to=frozenset(PriorTherapy(t) for t in resistant),
            anthracycline_contraindicated=order.anthracycline_contraindicated,
            progression_on_ixempra=order.progression_on_ixempra,
            response=Response(response) if response else None,
            unacceptable_toxicities=tuple(toxicities),
            request_defaulted=request is None,
        ),
        (),
    )
