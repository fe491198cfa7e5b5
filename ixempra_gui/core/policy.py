"""The payer policy and product data (vials, NDCs, HCPCS, limits, ICD-10), loaded as data.

The policy changes yearly; it lives in resources/policy/ and the code evaluates it without
repeating its numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from ixempra_gui.core.coverage_rules import CoverageRules, parse_coverage_rules
from ixempra_gui.core.resources import resource_path

POLICY_ID = "MG.MM.PH.153"
# 2: adds the coverage criteria, exclusions, renewal criteria and toxicities (issue 5).
SUPPORTED_SCHEMA = 2


@dataclass(frozen=True)
class Vial:
    strength_mg: int
    ndc10: str
    ndc11: str
    ndc11_verified: bool
    description: str


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    payer: str
    last_review: str  # ISO date
    hcpcs: str
    mg_per_unit: int
    discard_modifier: str
    no_discard_modifier: str
    vials: tuple[Vial, ...]  # largest strength first
    max_units: int
    per_days: int
    max_level_mg_per_m2: int
    authorization_months: int
    icd10: tuple[tuple[str, str], ...]
    coverage: CoverageRules
    criteria_effective: str = ""  # ISO date: the earliest request date these criteria judge

    def vial(self, strength_mg: int) -> Vial:
        for vial in self.vials:
            if vial.strength_mg == strength_mg:
                return vial
        raise KeyError(strength_mg)


class PolicyDataError(ValueError):
    """The policy file is missing a field or has a schema this version cannot read."""


@cache
def load_policy(policy_id: str = POLICY_ID) -> Policy:
    """Read and check the policy file once per process."""
    path = resource_path("policy", f"{policy_id}.json")
    return parse_policy(json.loads(path.read_text(encoding="utf-8")), path.name)


def parse_policy(data: dict[str, Any], name: str = "policy data") -> Policy:
    """Check the policy data strictly and build the Policy; PolicyDataError names what is wrong."""
    if not isinstance(data, dict) or data.get("schema_version") != SUPPORTED_SCHEMA:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise PolicyDataError(
            f"{name}: schema {found} is not supported (this version reads {SUPPORTED_SCHEMA})"
        )
    try:
        vials = tuple(
            sorted(
                (
                    Vial(
                        strength_mg=int(v["strength_mg"]),
                        ndc10=v["ndc10"],
                        ndc11=v["ndc11"],
                        ndc11_verified=bool(v["ndc11_verified"]),
                        description=v["description"],
                    )
                    for v in data["vials"]
                ),
                key=lambda v: -v.strength_mg,
            )
        )
        icd10 = tuple((c["code"], c["description"]) for c in data["icd10"])
        if len({code for code, _ in icd10}) != len(icd10):
            raise ValueError("icd10: duplicate codes")
        return Policy(
            id=data["policy"]["id"],
            title=data["policy"]["title"],
            payer=data["policy"]["payer"],
            last_review=data["policy"]["last_review"],
            hcpcs=data["hcpcs"]["code"],
            mg_per_unit=int(data["hcpcs"]["mg_per_unit"]),
            discard_modifier=data["hcpcs"]["discard_modifier"],
            no_discard_modifier=data["hcpcs"]["no_discard_modifier"],
            vials=vials,
            max_units=int(data["dosing_limit"]["max_units"]),
            per_days=int(data["dosing_limit"]["per_days"]),
            max_level_mg_per_m2=int(data["max_dose_level_mg_per_m2"]["value"]),
            authorization_months=int(data["authorization_months"]),
            icd10=icd10,
            coverage=parse_coverage_rules(data),
            criteria_effective=data["policy"]["criteria_effective"],
        )
    except KeyError as exc:
        raise PolicyDataError(f"{name}: missing field {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise PolicyDataError(f"{name}: malformed data: {exc}") from exc
