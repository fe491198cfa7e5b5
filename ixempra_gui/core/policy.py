"""The payer policy and product data (vials, NDCs, HCPCS, limits, ICD-10), loaded as data.

The policy changes yearly; it lives in resources/policy/ and the code evaluates it without
repeating its numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from ixempra_gui.core.resources import resource_path

POLICY_ID = "MG.MM.PH.153"
SUPPORTED_SCHEMA = 1


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
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        if data["schema_version"] != SUPPORTED_SCHEMA:
            raise PolicyDataError(f"{path.name}: schema {data['schema_version']} is not supported")
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
            icd10=tuple((c["code"], c["description"]) for c in data["icd10"]),
        )
    except (KeyError, TypeError) as exc:
        raise PolicyDataError(f"{path.name}: missing or malformed field {exc}") from exc
