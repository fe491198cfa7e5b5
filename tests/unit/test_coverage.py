"""Coverage against MG.MM.PH.153: each criterion and exclusion alone, initial vs renewal, the
dosing limit, and the dose-based exclusions read from the DoseResult (clinical-rules §7)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from itertools import chain, combinations
from typing import Any

import pytest
from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.coverage import (
    CAPECITABINE_CONTRAINDICATED_RULE,
    CheckKind,
    CoverageResult,
    Outcome,
    check_dosing_limit,
    evaluate_coverage,
)
from ixempra_gui.core.coverage_input import CoverageRequest
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.models import DoseResult, Order, Status
from ixempra_gui.core.policy import load_policy

POLICY = load_policy()
DAY = date(2025, 8, 31)
A, T, CAP = PriorTherapy.ANTHRACYCLINE, PriorTherapy.TAXANE, PriorTherapy.CAPECITABINE


def dose(**changes: Any) -> DoseResult:
    return calculate(Order(**order_kwargs(**changes)))


MONO = dose()  # reference case v01: 72.8 mg, 45 + 15 + 15, J9207 × 73 + JW × 2
CAPE = dose(regimen="capecitabine")


def request(**changes: Any) -> CoverageRequest:
    """Metastatic, resistant to an anthracycline and a taxane, initial, 2025-08-31."""
    base: dict[str, Any] = {
        "request": RequestType.INITIAL,
        "diagnosis": "C50.911",
        "request_date": DAY,
        "setting": Setting.METASTATIC,
        "resistant_to": frozenset({A, T}),
    }
    return CoverageRequest(**{**base, **changes})


def evaluate(req: CoverageRequest, d: DoseResult | None = CAPE, **kw: Any) -> CoverageResult:
    return evaluate_coverage(req, d, POLICY, **kw)


def codes(findings: tuple[Any, ...]) -> list[str]:
    return [f.code for f in findings]


def test_metastatic_resistant_capecitabine_meets_i() -> None:
    c = evaluate(request())
    assert (c.meets_criteria, c.criterion, c.unmet, c.exclusions) == (True, "I.1.A.i", (), ())
    assert (c.authorization_start, c.authorization_end) == (DAY, date(2026, 2, 28))
    assert (c.policy_id, c.policy_review_date) == ("MG.MM.PH.153", "2025-03-31")


def _powerset() -> list[frozenset[PriorTherapy]]:
    items = list(PriorTherapy)
    return [frozenset(s) for s in chain.from_iterable(combinations(items, n) for n in range(4))]


def _policy_says(regimen: str, resistant: frozenset[PriorTherapy], contra: bool) -> str | None:
    """The policy text restated independently of the data (I.1.A.i and I.1.A.ii)."""
    if regimen == "capecitabine":
        return (
            "I.1.A.i"
            if (A in resistant and T in resistant) or (T in resistant and contra)
            else None
        )
    return "I.1.A.ii" if {A, T, CAP} <= resistant else None


@pytest.mark.parametrize("regimen", ["capecitabine", "monotherapy"])
@pytest.mark.parametrize("resistant", _powerset(), ids=lambda s: "+".join(sorted(s)) or "none")
@pytest.mark.parametrize("contra", [False, True], ids=["", "anthracycline-contraindicated"])
def test_every_combination_of_resistance(
    regimen: str, resistant: frozenset[PriorTherapy], contra: bool
) -> None:
    d = CAPE if regimen == "capecitabine" else MONO
    c = evaluate(request(resistant_to=resistant, anthracycline_contraindicated=contra), d)
    expected = _policy_says(regimen, resistant, contra)
    assert c.criterion == expected
    assert c.meets_criteria == (expected is not None)
    if expected is None:
        [finding] = c.unmet
        assert finding.code == "resistance_not_documented"
        assert finding.section == ("I.1.A.i" if regimen == "capecitabine" else "I.1.A.ii")
        assert "Needed:" in finding.message
    assert c.exclusions == ()


def test_unmet_resistance_says_what_is_missing() -> None:
    [finding] = evaluate(request(resistant_to=frozenset({T}))).unmet
    assert "resistance to an anthracycline OR that further anthracycline therapy is " in (
        finding.message
    )


def test_the_other_criterion_is_marked_not_applicable() -> None:
    c = evaluate(request())
    by_section = {ch.section: ch.outcome for ch in c.checks}
    assert by_section["I.1.A.i"] is Outcome.MET
    assert by_section["I.1.A.ii"] is Outcome.NOT_APPLICABLE


@pytest.mark.parametrize("setting", [Setting.METASTATIC, Setting.RECURRENT])
def test_recurrent_or_metastatic_meets(setting: Setting) -> None:
    assert evaluate(request(setting=setting)).criterion == "I.1.A.i"


@pytest.mark.parametrize(
    ("setting", "unmet", "exclusion", "section"),
    [
        (Setting.ADJUVANT, "setting_not_covered", "adjuvant_use", "Limitations/Exclusions 1"),
        (
            Setting.OTHER,
            "setting_not_covered",
            "indication_not_supported",
            "Limitations/Exclusions 5",
        ),
    ],
)
def test_setting_exclusions(setting: Setting, unmet: str, exclusion: str, section: str) -> None:
    c = evaluate(request(setting=setting))
    assert not c.meets_criteria and c.criterion is None
    assert codes(c.unmet) == [unmet] and c.unmet[0].section == "I.1.A"
    assert codes(c.exclusions) == [exclusion] and c.exclusions[0].section == section
    assert c.authorization_start is None and c.authorization_end is None


def test_setting_not_given() -> None:
    c = evaluate(request(setting=None))
    assert codes(c.unmet) == ["setting_missing"] and c.exclusions == ()
    outcomes = {ch.section: ch.outcome for ch in c.checks}
    assert outcomes["Limitations/Exclusions 1"] is Outcome.NOT_ASSESSED


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("C50.9", "diagnosis_not_billable"),
        ("C50.91", "diagnosis_not_billable"),
        ("C34.90", "diagnosis_not_covered"),
        ("Z85.30", "diagnosis_not_covered"),
        ("", "diagnosis_missing"),
    ],
)
def test_wrong_diagnosis_is_an_unmet_criterion(typed: str, reason: str) -> None:
    c = evaluate(request(diagnosis=typed))
    assert not c.meets_criteria and c.criterion is None
    assert codes(c.unmet) == [reason]
    assert c.unmet[0].section == "ICD-10 Diagnoses"


@pytest.mark.parametrize("typed", ["c50911", " C50.911 ", "Z85.3", "z853"])
def test_diagnosis_spellings_meet(typed: str) -> None:
    assert evaluate(request(diagnosis=typed)).meets_criteria


# --- exclusions from the dose: read from the DoseResult ---------------------------------------


@pytest.mark.parametrize(
    ("level", "applies"),
    [(Decimal(40), False), (Decimal("40.1"), True), (Decimal(60), True), (Decimal(20), False)],
)
def test_level_over_40_is_exclusion_2(level: Decimal, applies: bool) -> None:
    # A level above 40 mg/m² comes from inducer dosing (another issue); coverage reads the level
    # the dose result carries, whatever rule set it.
    c = evaluate(request(), dataclasses.replace(CAPE, dose_level_mg_per_m2=level))
    assert ("dose_level_above_limit" in codes(c.exclusions)) is applies
    assert c.meets_criteria is not applies
    if applies:
        [ex] = c.exclusions
        assert ex.section == "Limitations/Exclusions 2" and "40 mg/m²" in ex.message


def test_no_level_means_exclusion_2_not_assessed() -> None:
    no_dose = dose(alt="450 U/L")  # monotherapy, ALT > 10×ULN: not recommended, no level
    assert no_dose.status is Status.NOT_RECOMMENDED and no_dose.dose_level_mg_per_m2 is None
    c = evaluate(request(resistant_to=frozenset({A, T, CAP})), no_dose)
    outcome = {ch.section: ch.outcome for ch in c.checks}["Limitations/Exclusions 2"]
    assert outcome is Outcome.NOT_ASSESSED
    assert c.criterion == "I.1.A.ii"  # not recommended by the label is not a policy exclusion
    assert any("not_recommended" in n for n in c.notes)


@pytest.mark.parametrize(
    ("labs", "applies"),
    [
        ({"ast": "100 U/L"}, False),  # exactly 2.5×ULN is allowed
        ({"ast": "101 U/L"}, True),
        ({"alt": "100 U/L"}, False),
        ({"alt": "100.4 U/L"}, True),
        ({"bilirubin": "1.2 mg/dL"}, False),  # exactly 1×ULN
        ({"bilirubin": "1.21 mg/dL"}, True),
    ],
)
def test_capecitabine_hepatic_is_exclusion_3(labs: dict[str, str], applies: bool) -> None:
    d = dose(regimen="capecitabine", **labs)
    assert (d.status is Status.CONTRAINDICATED) is applies
    c = evaluate(request(), d)
    assert codes(c.exclusions) == (["capecitabine_hepatic_contraindication"] if applies else [])
    assert c.meets_criteria is not applies
    if applies:
        assert c.exclusions[0].section == "Limitations/Exclusions 3"
        assert "contraindicated" in c.exclusions[0].message
        assert c.dosing_limit.within_limit is None  # no dose, so no units


def test_monotherapy_with_bad_liver_tests_is_not_exclusion_3() -> None:
    d = dose(bilirubin="2.0 mg/dL")  # monotherapy table row: 20 mg/m²
    c = evaluate(request(resistant_to=frozenset({A, T, CAP})), d)
    assert c.exclusions == () and c.criterion == "I.1.A.ii"
    outcome = {ch.section: ch.outcome for ch in c.checks}["Limitations/Exclusions 3"]
    assert outcome is Outcome.DOES_NOT_APPLY


def test_the_calculator_emits_the_rule_exclusion_3_reads() -> None:
    d = dose(regimen="capecitabine", bilirubin="2 mg/dL")
    assert any(r.code == CAPECITABINE_CONTRAINDICATED_RULE and r.applies for r in d.level_rules)


def test_exclusion_3_comes_from_the_dose_result_not_a_second_rule() -> None:
    contraindicated = dose(regimen="capecitabine", bilirubin="2 mg/dL")
    # The same labs, with the dose rule's verdict removed: coverage must not re-derive it.
    silenced = dataclasses.replace(
        contraindicated,
        level_rules=tuple(
            r for r in contraindicated.level_rules if r.code != CAPECITABINE_CONTRAINDICATED_RULE
        ),
        reasons=tuple(
            r for r in contraindicated.reasons if r.code != CAPECITABINE_CONTRAINDICATED_RULE
        ),
    )
    assert "capecitabine_hepatic_contraindication" in codes(
        evaluate(request(), contraindicated).exclusions
    )
    assert evaluate(request(), silenced).exclusions == ()


def test_progression_on_ixempra_is_exclusion_4() -> None:
    c = evaluate(request(progression_on_ixempra=True))
    assert codes(c.exclusions) == ["progression_on_ixempra"] and c.unmet == ()
    assert c.exclusions[0].section == "Limitations/Exclusions 4"
    assert not c.meets_criteria and c.criterion is None


# --- renewal ----------------------------------------------------------------------------------


def renewal(**changes: Any) -> CoverageRequest:
    return request(**{"request": RequestType.RENEWAL, "response": Response.RESPONSE, **changes})


@pytest.mark.parametrize("response", [Response.RESPONSE, Response.STABLE])
def test_renewal_meets_ii(response: Response) -> None:
    c = evaluate(request(request=RequestType.RENEWAL, response=response))
    assert (c.meets_criteria, c.criterion, c.initial_criterion) == (True, "II", "I.1.A.i")
    assert c.request is RequestType.RENEWAL
    assert (c.authorization_start, c.authorization_end) == (DAY, date(2026, 2, 28))
    renewal_checks = [ch for ch in c.checks if ch.section.startswith("II.")]
    assert [ch.outcome for ch in renewal_checks] == [Outcome.MET] * 3


def test_initial_and_renewal_differ_only_in_the_criterion_named() -> None:
    assert evaluate(request(response=Response.STABLE)).criterion == "I.1.A.i"
    assert evaluate(renewal()).criterion == "II"


def test_renewal_progression_is_ii_2_and_exclusion_4() -> None:
    c = evaluate(renewal(response=Response.PROGRESSION))
    assert codes(c.unmet) == ["no_response"] and c.unmet[0].section == "II.2"
    assert codes(c.exclusions) == ["progression_on_ixempra"]


def test_renewal_without_response() -> None:
    c = evaluate(request(request=RequestType.RENEWAL))
    assert codes(c.unmet) == ["response_missing"] and c.unmet[0].section == "II.2"


@pytest.mark.parametrize("toxicity", [t.code for t in POLICY.coverage.toxicities])
def test_each_unacceptable_toxicity_alone(toxicity: str) -> None:
    c = evaluate(renewal(unacceptable_toxicities=(toxicity,)))
    assert codes(c.unmet) == ["unacceptable_toxicity"] and c.unmet[0].section == "II.3"
    assert POLICY.coverage.toxicity(toxicity).wording in c.unmet[0].message
    assert not c.meets_criteria and c.exclusions == ()


def test_all_six_toxicities_are_named() -> None:
    all_six = tuple(t.code for t in POLICY.coverage.toxicities)
    [finding] = evaluate(renewal(unacceptable_toxicities=all_six)).unmet
    for tox in POLICY.coverage.toxicities:
        assert tox.wording in finding.message


def test_renewal_still_needs_the_initial_criteria() -> None:
    c = evaluate(renewal(resistant_to=frozenset({T})))
    assert codes(c.unmet) == ["resistance_not_documented", "initial_criteria_not_met"]
    assert [f.section for f in c.unmet] == ["I.1.A.i", "II.1"]
    assert c.criterion is None and c.initial_criterion is None


def test_renewal_answers_are_ignored_for_an_initial_request() -> None:
    c = evaluate(request(response=Response.STABLE, unacceptable_toxicities=("myelosuppression",)))
    assert c.criterion == "I.1.A.i"
    assert any("renewal criteria" in n for n in c.notes)
    assert not any(ch.section.startswith("II.") for ch in c.checks)


# --- dosing limit -----------------------------------------------------------------------------


def test_this_dose_alone_with_prior_units_unknown() -> None:
    limit = evaluate(request()).dosing_limit
    assert (limit.limit_units, limit.per_days) == (POLICY.max_units, POLICY.per_days)
    assert (limit.units_this_dose, limit.prior_units, limit.units_total) == (75, None, None)
    assert limit.within_limit is True and limit.window_checked is False
    assert "not known" in limit.message and "75" in limit.message


@pytest.mark.parametrize(("prior", "within"), [(0, True), (14, True), (15, True), (16, False)])
def test_the_21_day_window_when_prior_units_are_known(prior: int, within: bool) -> None:
    c = evaluate(request(), prior_units=prior)
    limit = c.dosing_limit
    assert (limit.units_total, limit.within_limit, limit.window_checked) == (
        prior + 75,
        within,
        True,
    )
    assert c.meets_criteria is within
    if not within:
        assert codes(c.unmet) == ["dosing_limit_exceeded"]
        assert c.unmet[0].section == "Dosing Limits [Medical Benefit]"


def test_largest_dose_fits_the_limit_alone() -> None:
    capped = dose(height="190 cm", weight="110 kg")  # BSA capped at 2.2 m²: 88 mg, 2 × 45 mg
    limit = check_dosing_limit(capped, POLICY)
    assert (limit.units_this_dose, limit.within_limit) == (90, True)


def test_no_dose_no_units() -> None:
    limit = check_dosing_limit(None, POLICY, prior_units=30)
    assert limit.units_this_dose is None and limit.within_limit is None
    with pytest.raises(ValueError):
        check_dosing_limit(MONO, POLICY, prior_units=-1)


# --- what the evaluation needs from elsewhere --------------------------------------------------


def test_incomplete_dose_inputs_leave_the_regimen_unknown() -> None:
    invalid = calculate(Order(**order_kwargs(regimen=None)))
    assert invalid.status is Status.INVALID_INPUT
    for d in (invalid, None):
        c = evaluate(request(), d)
        assert "regimen_unknown" in codes(c.unmet) and not c.meets_criteria
        assert any("incomplete" in n for n in c.notes)


def test_defaulted_request_type_is_noted() -> None:
    c = evaluate(request(request_defaulted=True))
    assert c.meets_criteria and any("initial" in n for n in c.notes)


def test_result_is_frozen_and_complete() -> None:
    c = evaluate(request())
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.meets_criteria = False  # type: ignore[misc]
    kinds = [ch.kind for ch in c.checks]
    assert kinds.count(CheckKind.EXCLUSION) == 5
    assert [ch.section for ch in c.checks if ch.kind is CheckKind.CRITERION] == [
        "ICD-10 Diagnoses",
        "I.1.A",
        "I.1.A.i",
        "I.1.A.ii",
    ]


# --- with the cycle decisions of issue 3: the level and dose still come from the DoseResult -----


def test_inducer_level_60_is_exclusion_2_and_over_the_unit_limit() -> None:
    d = dose(regimen="capecitabine", strong_cyp3a4_inducer=True, dose_level="60 mg/m2")
    assert d.status is Status.OK and d.dose_level_mg_per_m2 == 60
    c = evaluate(request(), d)
    assert codes(c.exclusions) == ["dose_level_above_limit"]
    assert "60 mg/m²" in c.exclusions[0].message
    # 109.2 mg → 45 + 45 + 15 + 15 = 120 billable units, over 90 on its own
    assert c.dosing_limit.units_this_dose == 120 and c.dosing_limit.within_limit is False
    assert codes(c.unmet) == ["dosing_limit_exceeded"]


@pytest.mark.parametrize(("level", "applies"), [("60 mg/m2", True), ("40 mg/m2", False)])
def test_on_hold_the_level_comes_from_the_applied_rule(level: str, applies: bool) -> None:
    d = dose(
        regimen="capecitabine",
        strong_cyp3a4_inducer=True,
        dose_level=level,
        anc="1000 /mm3",
        platelets="150000 /mm3",
        current_nonheme_toxicity_grade="0",
    )
    assert d.status is Status.HOLD and d.dose_level_mg_per_m2 is None
    c = evaluate(request(), d)
    assert ("dose_level_above_limit" in codes(c.exclusions)) is applies
    outcome = {ch.section: ch.outcome for ch in c.checks}["Limitations/Exclusions 2"]
    assert outcome is (Outcome.APPLIES if applies else Outcome.DOES_NOT_APPLY)
    assert any("hold" in n for n in c.notes)


def test_a_dose_rounded_up_past_40_mg_per_m2_is_exclusion_2() -> None:
    d = dose(regimen="capecitabine", round_to_vial_within="5")  # 72.8 mg → 75 mg on 1.82 m²
    assert d.dose_rounding is not None and d.dose_rounding.applied
    assert d.dose_level_mg_per_m2 == 40 and d.dose_mg == 75
    [ex] = evaluate(request(), d).exclusions
    assert ex.code == "dose_level_above_limit"
    assert "41.21 mg/m²" in ex.message and "rounded to a vial boundary" in ex.message


def test_a_dose_rounded_down_is_not_exclusion_2() -> None:
    # BSA 1.90 m²: 76 mg → 75 mg (−1.3 %)
    d = dose(regimen="capecitabine", height="180 cm", weight="72.2 kg", round_to_vial_within="5")
    assert d.dose_rounding is not None and d.dose_rounding.applied
    assert (d.dose_rounding.unrounded_mg, d.dose_mg) == (76, 75)
    assert evaluate(request(), d).exclusions == ()
