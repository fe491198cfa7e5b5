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
from ixempra_gui.journal.identifiers import (
    check_free_text,
    check_patient_id,
    check_person,
    foreign_character,
    patient_key,
    preview,
    same_person,
    trim_patient_id,
)
from ixempra_gui.journal.kinds import DOSE, JOURNAL_START, record_kind

if TYPE_CHECKING:
    from ixempra_gui.journal.double_check import SignOff

RECORD_FORMAT = 2  # 2: the content holds its patient_key (what the history selects on)
RECORD_STATUS = "verified"
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DAYS_AHEAD = 366
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_administration_date(text: str, today: date | None = None) -> date:
    """``YYYY-MM-DD`` (digits 0–9), from 2000-01-01 to a year after today; ValueError naming
    the field, the character or the range accepted."""
    today = today or date.today()
    latest = today + timedelta(days=LATEST_DAYS_AHEAD)
    if not isinstance(text, str):
        raise ValueError("Administration date: expected YYYY-MM-DD.")
    value = text.strip()
    if len(value) <= 40 and (bad := foreign_character(value)):
        raise ValueError(f"Administration date: the character {bad} is not accepted.")
    if len(value) != 10 or not _ISO_DATE.fullmatch(value):
        raise ValueError(f"Administration date: expected YYYY-MM-DD, got {preview(value)}.")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Administration date: {value} is not a calendar date.") from None
    if not EARLIEST_DATE <= parsed <= latest:
        raise ValueError(
            f"Administration date: {parsed.isoformat()} is outside "
            f"{EARLIEST_DATE.isoformat()} to {latest.isoformat()}."
        )
    return parsed


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
    if new.double_check is not None and (
        problem := check_free_text("Comment", new.double_check.comment)
    ):
        problems.append(("comment", problem))
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
        "kind": DOSE,
        "status": RECORD_STATUS,
        "patient_id": trim_patient_id(new.patient_id),
        "patient_key": patient_key(trim_patient_id(new.patient_id)),
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


#: How many hex digits of a record's hash are shown on the worksheet and on screen (48 bits:
#: enough to tell records apart when compared with ``ixempra-journal show``).
SHORT_HASH_CHARS = 12
#: ``status`` of the first record of a journal started anew (``ixempra-journal init --new``).
STATUS_JOURNAL_STARTED = "journal_started"


def journal_start_content(reason: str, previous: dict[str, Any]) -> dict[str, Any]:
    """The first record of a journal started by a person after the old one failed its checks:
    why, and what was known of the old one (its archived file, last record, the anchor)."""
    return {
        "format": RECORD_FORMAT,
        "kind": JOURNAL_START,
        "status": STATUS_JOURNAL_STARTED,
        "reason": reason,
        "previous_journal": previous,
        "app_version": __version__,
        "recorded_with": "ixempra-journal init --new",
    }


@dataclass(frozen=True)
class StoredRecord:
    """One record read back from the journal (its content as signed). Every accessor is total:
    a record whose content cannot be read says so (``readable``) instead of raising."""

    id: int
    hash: str
    prev_hash: str
    content: dict[str, Any]
    readable: bool = True  # False: the stored content is not a JSON object
    intact: bool = True  # False: the stored content no longer gives the stored hash

    @property
    def short_hash(self) -> str:
        """The first 12 hex digits of the hash, as printed on the worksheet."""
        return self.hash[:SHORT_HASH_CHARS]

    @property
    def status(self) -> str:
        return str(self.content.get("status", ""))

    @property
    def is_dose(self) -> bool:
        return self.readable and self.status == RECORD_STATUS and self.kind == DOSE

    @property
    def kind(self) -> str:
        """dose, preparation, near_miss or journal_start (journal/kinds.py); unknown."""
        return record_kind(self.content) if self.readable else "unknown"

    @property
    def patient_id(self) -> str:
        return str(self.content.get("patient_id", ""))

    @property
    def administered_on(self) -> str:
        return str(self.content.get("administered_on", ""))

    @property
    def recorded_at(self) -> str:
        return str(self.content.get("recorded_at", ""))

    @property
    def result(self) -> dict[str, Any]:
        result = self.content.get("result")
        return dict(result) if isinstance(result, dict) else {}


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
    found = content.get("result")
    result: dict[str, Any] = found if isinstance(found, dict) else {}
    found = result.get("billing")
    billing: dict[str, Any] = found if isinstance(found, dict) else {}
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
