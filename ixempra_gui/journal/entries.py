"""What one journal record holds, built from an order and its result, and read back.

A record's content is one JSON object: the patient identifier, the administration date, who
prepared and who verified, every input as typed, the full ``ixempra-calc --json`` result, the
app version and policy, the exact figures the history checks compare (``facts``), the history
seen when it was recorded, and the double check if one was made in the app. Text is stored as
typed; only what would make a record unreadable or misleading on screen is refused.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ixempra_gui import __version__
from ixempra_gui.core.models import DoseResult, Order
from ixempra_gui.core.policy import Policy
from ixempra_gui.core.report import to_json_dict
from ixempra_gui.journal.chain import content_hash_or_none
from ixempra_gui.journal.history import DoseFacts

if TYPE_CHECKING:
    from ixempra_gui.journal.double_check import SignOff

RECORD_FORMAT = 1
RECORD_STATUS = "verified"
MAX_PATIENT_ID_CHARS = 65_536
MAX_PERSON_CHARS = 200
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DAYS_AHEAD = 366

# Control characters, surrogates, and bidirectional overrides (which can make one id display as
# another) are refused; everything else, quotes and SQL included, is stored as typed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _preview(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _text_problem(label: str, value: object, max_chars: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{label}: required."
    if value != value.strip():
        return f"{label}: remove the spaces at the start or end ({_preview(value)})."
    if len(value) > max_chars:
        return f"{label}: at most {max_chars} characters ({len(value)} given)."
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS:
            return (
                f"{label}: contains the control character U+{ord(ch):04X}; type it again "
                "without line breaks, tabs or invisible characters."
            )
    return None


def check_patient_id(patient_id: object) -> str | None:
    return _text_problem("Patient id", patient_id, MAX_PATIENT_ID_CHARS)


def check_person(label: str, name: object) -> str | None:
    return _text_problem(label, name, MAX_PERSON_CHARS)


def same_person(a: str, b: str) -> bool:
    """``A. Smith`` and ``a. smith`` are one person (case, width and spacing ignored)."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).casefold().split())

    return norm(a) == norm(b)


def parse_administration_date(text: str, today: date | None = None) -> date:
    """``YYYY-MM-DD``; ValueError saying what is accepted."""
    today = today or date.today()
    latest = today + timedelta(days=LATEST_DAYS_AHEAD)
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text.strip()):
        raise ValueError(f"Administration date: expected YYYY-MM-DD, got {_preview(str(text))}.")
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"Administration date: {text.strip()} is not a calendar date.") from None
    if not EARLIEST_DATE <= value <= latest:
        raise ValueError(
            f"Administration date: {value.isoformat()} is outside "
            f"{EARLIEST_DATE.isoformat()} to {latest.isoformat()}."
        )
    return value


@dataclass(frozen=True)
class NewRecord:
    """A verified calculation, ready to be appended to the journal."""

    patient_id: str
    administered_on: date
    prepared_by: str
    verified_by: str
    order: Order
    result: DoseResult
    double_check: SignOff | None = None
    recorded_with: str = "ixempra-journal record"

    @classmethod
    def from_sign_off(
        cls,
        sign_off: SignOff,
        first_order: Order,
        second_order: Order,
        patient_id: str,
        administered_on: date,
        recorded_with: str = "ixempra-gui double check",
    ) -> NewRecord:
        """The record of a double check signed in the app: the entry it names is the dose (its
        order becomes the record's inputs; both entries stay in ``double_check``)."""
        order = first_order if sign_off.dose_from == "first" else second_order
        return cls(
            patient_id,
            administered_on,
            sign_off.prepared_by,
            sign_off.verified_by,
            order,
            sign_off.result,
            sign_off,
            recorded_with,
        )


def record_problems(new: NewRecord) -> list[tuple[str, str]]:
    """(field, message) for every identifier that cannot be recorded."""
    problems = []
    for field, problem in (
        ("patient_id", check_patient_id(new.patient_id)),
        ("prepared_by", check_person("Prepared by", new.prepared_by)),
        ("verified_by", check_person("Verified by", new.verified_by)),
    ):
        if problem:
            problems.append((field, problem))
    if not problems and same_person(new.prepared_by, new.verified_by):
        problems.append(
            (
                "verified_by",
                "Verified by: must be another person than Prepared by (independent double check).",
            )
        )
    return problems


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return str(value)  # Decimal, Fraction, date: exact text


def order_inputs(order: Order) -> dict[str, Any]:
    """Every field of the order exactly as entered (strings with their units)."""
    return {f.name: _jsonable(getattr(order, f.name)) for f in fields(Order)}


def facts_of_result(result: DoseResult, administered_on: date) -> DoseFacts | None:
    """The history facts of a calculation; None when its inputs were invalid."""
    if result.inputs is None or result.bsa is None:
        return None
    units = result.billing.units_total if result.ready_to_prepare and result.billing else None
    return DoseFacts(administered_on, result.inputs.weight.value, result.bsa.rounded_m2, units)


def _facts_json(facts: DoseFacts) -> dict[str, Any]:
    return {
        "weight_kg": str(facts.weight_kg),  # exact: "1746329/25000" for 154 lb
        "bsa_m2": str(facts.bsa_m2),
        "units_total": facts.units_total,
    }


FACTS = ("weight_kg", "bsa_m2", "units_total")  # the keys of content["facts"], in this order


def facts_from_values(values: list[Any], record_id: int) -> DoseFacts:
    """DoseFacts from [administered_on, weight_kg, bsa_m2, units_total] as stored."""
    administered_on, weight_kg, bsa_m2, units_total = values
    if units_total is not None and not isinstance(units_total, int):
        raise TypeError(f"units_total {units_total!r}")
    return DoseFacts(
        administered_on=date.fromisoformat(administered_on),
        weight_kg=Fraction(weight_kg),
        bsa_m2=Decimal(bsa_m2),
        units_total=units_total,
        record_id=record_id,
    )


def draft_content(new: NewRecord, policy: Policy) -> dict[str, Any]:
    """The record's content without its place in the chain (id, prev_hash, time, history)."""
    facts = facts_of_result(new.result, new.administered_on)
    if facts is None:
        raise ValueError("a record needs a valid calculation")
    return {
        "format": RECORD_FORMAT,
        "status": RECORD_STATUS,
        "patient_id": new.patient_id,
        "administered_on": new.administered_on.isoformat(),
        "prepared_by": new.prepared_by,
        "verified_by": new.verified_by,
        "app_version": __version__,
        "policy": {"id": policy.id, "last_review": policy.last_review},
        "inputs": order_inputs(new.order),
        "result": to_json_dict(new.result, policy),
        "facts": _facts_json(facts),
        "double_check": new.double_check.to_json() if new.double_check else None,
        "recorded_with": new.recorded_with,
    }


@dataclass(frozen=True)
class StoredRecord:
    """One record read back from the journal (its content as signed)."""

    id: int
    hash: str
    prev_hash: str
    content: dict[str, Any]

    @property
    def patient_id(self) -> str:
        return str(self.content["patient_id"])

    @property
    def administered_on(self) -> str:
        return str(self.content["administered_on"])

    @property
    def recorded_at(self) -> str:
        return str(self.content["recorded_at"])

    @property
    def result(self) -> dict[str, Any]:
        return dict(self.content["result"])


@dataclass(frozen=True)
class PatientDose:
    """One earlier verified dose of a patient, read back for the window's History panel: what
    was recorded (never recalculated), and the facts the history checks compare."""

    record_id: int
    administered_on: date | None  # None: the record cannot be read
    dose_mg: Decimal | None
    units_administered: int | None
    units_discarded: int | None
    facts: DoseFacts | None  # None: the record cannot be read as a dose
    prepared_by: str
    verified_by: str
    intact: bool  # its content still matches its hash and its date column


def _exact(value: object) -> Decimal | None:
    """A JSON figure as the exact decimal it was written from (repr is the shortest form)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(repr(value))


def patient_dose(record_id: int, text: str, digest: str, column_date: str) -> PatientDose:
    """A PatientDose from one stored row; a record that cannot be read is returned, not hidden
    (intact False, figures None), so the panel can say so."""
    try:
        content = json.loads(text)
        when = date.fromisoformat(str(content["administered_on"]))
    except (TypeError, ValueError, KeyError):
        return PatientDose(record_id, None, None, None, None, None, "", "", False)
    try:
        values = [content["administered_on"], *(content["facts"][k] for k in FACTS)]
        facts: DoseFacts | None = facts_from_values(values, record_id)
    except (TypeError, ValueError, KeyError, ZeroDivisionError):
        facts = None
    result = content.get("result") if isinstance(content.get("result"), dict) else {}
    billing = result.get("billing") if isinstance(result.get("billing"), dict) else {}
    administered = billing.get("units_administered")
    discarded = billing.get("units_wasted")
    return PatientDose(
        record_id=record_id,
        administered_on=when,
        dose_mg=_exact(result.get("dose_mg")),
        units_administered=administered if isinstance(administered, int) else None,
        units_discarded=discarded if isinstance(discarded, int) else None,
        facts=facts,
        prepared_by=str(content.get("prepared_by", "")),
        verified_by=str(content.get("verified_by", "")),
        intact=content_hash_or_none(text) == digest and when.isoformat() == column_date,
    )
