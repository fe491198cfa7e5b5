"""Coverage invariants over every combination of answers (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from conftest import order_kwargs
from hypothesis import given, settings
from hypothesis import strategies as st

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage import Outcome, evaluate_coverage
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.models import DoseResult, Order
from ixempra_gui.core.policy import load_policy

POLICY = load_policy()
CODES = [code for code, _ in POLICY.icd10]
SECTIONS = {
    POLICY.coverage.diagnosis_section,
    POLICY.coverage.indication.section,
    POLICY.coverage.dosing_limit_section,
    *(c.section for c in POLICY.coverage.criteria),
    *(e.section for e in POLICY.coverage.exclusions),
    *(r.section for r in POLICY.coverage.renewal),
}
DOSES = [
    calculate(Order(**order_kwargs(**changes)))
    for changes in (
        {},
        {"regimen": "capecitabine"},
        {"regimen": "capecitabine", "bilirubin": "2 mg/dL"},
        {"alt": "450 U/L"},
        {"regimen": None},
        {"height": "190 cm", "weight": "110 kg"},
        {"regimen": "capecitabine", "strong_cyp3a4_inducer": True, "dose_level": "60 mg/m2"},
        {"anc": "1000 /mm3", "platelets": "150000 /mm3", "current_nonheme_toxicity_grade": "0"},
        {"round_to_vial_within": "5"},
    )
]

requests = st.builds(
    CoverageRequest,
    request=st.sampled_from(RequestType),
    diagnosis=st.one_of(st.sampled_from(CODES), st.sampled_from(["C50.9", "C34.90", "", "x"])),
    request_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    setting=st.one_of(st.none(), st.sampled_from(Setting)),
    resistant_to=st.frozensets(st.sampled_from(PriorTherapy)),
    anthracycline_contraindicated=st.booleans(),
    progression_on_ixempra=st.booleans(),
    response=st.one_of(st.none(), st.sampled_from(Response)),
    unacceptable_toxicities=st.lists(
        st.sampled_from([t.code for t in POLICY.coverage.toxicities]), unique=True, max_size=3
    ).map(tuple),
)


@settings(max_examples=400, deadline=None)
@given(requests, st.sampled_from(DOSES), st.one_of(st.none(), st.integers(0, 120)))
def test_coverage_invariants(req: CoverageRequest, dose: DoseResult, prior: int | None) -> None:
    c = evaluate_coverage(req, dose, POLICY, prior_units=prior)
    # meets exactly when nothing is unmet and no exclusion applies; then and only then a criterion
    # and an authorization period
    assert c.meets_criteria == (not c.unmet and not c.exclusions)
    assert (c.criterion is not None) == c.meets_criteria
    assert (c.authorization_start is not None) == c.meets_criteria
    assert (c.authorization_end is not None) == c.meets_criteria
    if c.meets_criteria:
        assert c.criterion == ("II" if req.request is RequestType.RENEWAL else c.initial_criterion)
        assert c.authorization_start == req.request_date
        assert c.authorization_end is not None and c.authorization_end > req.request_date
    # every finding cites a section of the policy data
    assert all(f.section in SECTIONS for f in (*c.unmet, *c.exclusions))
    # the checklist agrees with the findings
    applied = [ch for ch in c.checks if ch.outcome is Outcome.APPLIES]
    assert len(applied) == len(c.exclusions)
    # documented progression on Ixempra always excludes
    worse = replace(req, progression_on_ixempra=True)
    assert not evaluate_coverage(worse, dose, POLICY, prior_units=prior).meets_criteria
    # documenting more resistance never loses a criterion already met
    if c.meets_criteria:
        more = replace(req, resistant_to=frozenset(PriorTherapy))
        assert evaluate_coverage(more, dose, POLICY, prior_units=prior).criterion == c.criterion
