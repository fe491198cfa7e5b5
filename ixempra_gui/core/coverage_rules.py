"""The coverage criteria of the payer policy, as read from resources/policy/ (schema 2).

The vocabulary of the answers (request type, disease setting, prior therapies, response) is the
product's; which answers satisfy which criterion, the exclusions, the toxicities and every
section and wording are the policy's data. Parsing is strict: an unknown check, setting,
therapy, regimen or toxicity in the file is a PolicyDataError, never a silently ignored rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ixempra_gui.core.models import Regimen


class RequestType(StrEnum):
    INITIAL = "initial"
    RENEWAL = "renewal"


class Setting(StrEnum):
    """Disease setting of the breast cancer being treated."""

    METASTATIC = "metastatic"
    RECURRENT = "recurrent"
    ADJUVANT = "adjuvant"
    OTHER = "other"


class PriorTherapy(StrEnum):
    """Therapies the disease can be documented as resistant (or refractory) to."""

    ANTHRACYCLINE = "anthracycline"
    TAXANE = "taxane"
    CAPECITABINE = "capecitabine"


class Response(StrEnum):
    """Tumor response on Ixempra, for a renewal."""

    RESPONSE = "response"
    STABLE = "stable"
    PROGRESSION = "progression"


# What the evaluator knows how to check; the data names one per exclusion / renewal criterion.
EXCLUSION_CHECKS = frozenset(
    {
        "setting",
        "dose_level_above_max",
        "dose_capecitabine_hepatic_contraindicated",
        "progression_on_ixempra",
    }
)
RENEWAL_CHECKS = frozenset({"meets_initial", "response", "no_unacceptable_toxicity"})


@dataclass(frozen=True)
class ResistancePath:
    """One way to satisfy a criterion: resistant to all of these (and, if required, further
    anthracycline therapy contraindicated)."""

    resistant_to: frozenset[PriorTherapy]
    requires_anthracycline_contraindicated: bool


@dataclass(frozen=True)
class InitialCriterion:
    id: str  # e.g. "I.1.A.i"
    section: str
    regimen: Regimen
    wording: str
    any_of: tuple[ResistancePath, ...]


@dataclass(frozen=True)
class Indication:
    section: str  # "I.1.A"
    wording: str
    settings: frozenset[Setting]  # the settings the criteria cover (recurrent, metastatic)


@dataclass(frozen=True)
class Exclusion:
    number: int
    code: str
    section: str
    check: str  # one of EXCLUSION_CHECKS
    wording: str
    settings: frozenset[Setting] = frozenset()  # for check "setting"


@dataclass(frozen=True)
class RenewalCriterion:
    id: str  # e.g. "II.2"
    section: str
    check: str  # one of RENEWAL_CHECKS
    wording: str
    responses: frozenset[Response] = frozenset()  # for check "response": the answers that pass


@dataclass(frozen=True)
class Toxicity:
    code: str  # e.g. "peripheral-neuropathy"
    wording: str  # as the policy names it


@dataclass(frozen=True)
class CoverageRules:
    initial_id: str
    initial_section: str
    indication: Indication
    criteria: tuple[InitialCriterion, ...]
    exclusions: tuple[Exclusion, ...]
    renewal_id: str
    renewal_section: str
    renewal: tuple[RenewalCriterion, ...]
    toxicities: tuple[Toxicity, ...]
    diagnosis_section: str
    authorization_section: str
    dosing_limit_section: str

    def criterion_for(self, regimen: Regimen) -> InitialCriterion | None:
        """The initial criterion that applies to this regimen (the policy has one per regimen)."""
        return next((c for c in self.criteria if c.regimen is regimen), None)

    def toxicity(self, code: str) -> Toxicity:
        for tox in self.toxicities:
            if tox.code == code:
                return tox
        raise KeyError(code)


def _enum_set(enum: type[StrEnum], values: Any, where: str) -> frozenset[Any]:
    if not isinstance(values, list) or not values:
        raise ValueError(f"{where}: expected a non-empty list")
    try:
        return frozenset(enum(v) for v in values)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected non-empty text")
    return value


def _unique(items: list[str], what: str) -> None:
    if len(items) != len(set(items)):
        raise ValueError(f"duplicate {what}: {sorted(items)}")


def _criterion(c: dict[str, Any]) -> InitialCriterion:
    """One initial criterion: its regimen and the ways its resistance can be documented."""
    return InitialCriterion(
        id=_text(c["id"], "criterion.id"),
        section=_text(c["section"], "criterion.section"),
        regimen=Regimen(c["regimen"]),
        wording=_text(c["wording"], f"{c['id']}.wording"),
        any_of=tuple(
            ResistancePath(
                resistant_to=_enum_set(PriorTherapy, p["resistant_to"], f"{c['id']}.any_of"),
                requires_anthracycline_contraindicated=_bool(
                    p["requires_anthracycline_contraindicated"]
                ),
            )
            for p in c["any_of"]
        ),
    )


def parse_coverage_rules(data: dict[str, Any]) -> CoverageRules:
    """Build the rules from the policy file's data; raise KeyError/TypeError/ValueError if bad."""
    cov = data["coverage"]
    initial = cov["initial"]
    ind = initial["indication"]
    indication = Indication(
        section=_text(ind["section"], "indication.section"),
        wording=_text(ind["wording"], "indication.wording"),
        settings=_enum_set(Setting, ind["settings"], "indication.settings"),
    )
    criteria = tuple(_criterion(c) for c in initial["criteria"])
    if not criteria or any(not c.any_of for c in criteria):
        raise ValueError("initial criteria: each needs at least one way to be met")
    _unique([c.id for c in criteria], "initial criterion id")
    _unique([c.regimen.value for c in criteria], "initial criterion regimen")
    exclusions = tuple(_exclusion(e) for e in cov["exclusions"])
    _unique([e.code for e in exclusions], "exclusion code")
    renewal_data = cov["renewal"]
    renewal = tuple(_renewal(r) for r in renewal_data["criteria"])
    _unique([r.id for r in renewal], "renewal criterion id")
    if {r.check for r in renewal} != RENEWAL_CHECKS:
        raise ValueError(f"renewal criteria must cover the checks {sorted(RENEWAL_CHECKS)}")
    toxicities = tuple(
        Toxicity(_text(t["code"], "toxicity.code"), _text(t["wording"], "toxicity.wording"))
        for t in cov["unacceptable_toxicities"]
    )
    if not toxicities:
        raise ValueError("unacceptable_toxicities: expected a non-empty list")
    _unique([t.code for t in toxicities], "toxicity code")
    if "none" in {t.code for t in toxicities}:
        raise ValueError("toxicity code 'none' is reserved for 'no unacceptable toxicity'")
    return CoverageRules(
        initial_id=_text(initial["id"], "initial.id"),
        initial_section=_text(initial["section"], "initial.section"),
        indication=indication,
        criteria=criteria,
        exclusions=exclusions,
        renewal_id=_text(renewal_data["id"], "renewal.id"),
        renewal_section=_text(renewal_data["section"], "renewal.section"),
        renewal=renewal,
        toxicities=toxicities,
        diagnosis_section=_text(data["icd10_section"], "icd10_section"),
        authorization_section=_text(data["authorization_section"], "authorization_section"),
        dosing_limit_section=_text(data["dosing_limit"]["section"], "dosing_limit.section"),
    )


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _exclusion(e: dict[str, Any]) -> Exclusion:
    check = e["check"]
    if check not in EXCLUSION_CHECKS:
        raise ValueError(f"exclusion {e.get('code')}: unknown check {check!r}")
    settings = (
        _enum_set(Setting, e["settings"], f"exclusion {e['code']}.settings")
        if check == "setting"
        else frozenset()
    )
    number = e["number"]
    if not isinstance(number, int) or isinstance(number, bool):
        raise TypeError(f"exclusion number must be an integer, got {number!r}")
    return Exclusion(
        number=number,
        code=_text(e["code"], "exclusion.code"),
        section=_text(e["section"], "exclusion.section"),
        check=check,
        wording=_text(e["wording"], "exclusion.wording"),
        settings=settings,
    )


def _renewal(r: dict[str, Any]) -> RenewalCriterion:
    check = r["check"]
    if check not in RENEWAL_CHECKS:
        raise ValueError(f"renewal criterion {r.get('id')}: unknown check {check!r}")
    responses = (
        _enum_set(Response, r["responses"], f"{r['id']}.responses")
        if check == "response"
        else frozenset()
    )
    return RenewalCriterion(
        id=_text(r["id"], "renewal.id"),
        section=_text(r["section"], "renewal.section"),
        check=check,
        wording=_text(r["wording"], f"{r['id']}.wording"),
        responses=responses,
    )
