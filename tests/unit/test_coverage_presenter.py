"""The Coverage tab's presenter: answers + the order's dose result → the core → display strings.
No Qt needed (runs in the no-Qt venv)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import REPO, cli_args

from ixempra_gui.cli import calc as cli
from ixempra_gui.core.coverage_input import CoverageOrder
from ixempra_gui.core.coverage_rules import PriorTherapy, RequestType, Response, Setting
from ixempra_gui.core.policy import load_policy
from ixempra_gui.presentation import coverage_text
from ixempra_gui.presentation.coverage_view import (
    MISSING_ANSWERS,
    CoverageForm,
    NotAvailableError,
    VerdictKind,
    coverage_order,
    initial_coverage_view,
    present_coverage,
    prior_auth_summary,
)
from ixempra_gui.presentation.order_view import FormInput, MessageKind, ViewState, present, render
from ixempra_gui.presentation.preferences import Preferences

TODAY = date(2025, 8, 31)
PREFS = Preferences()
# Reference case v01 with capecitabine, measured today.
CAPE = FormInput(
    height="170 cm",
    weight="70 kg",
    regimen="capecitabine",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
    height_measured_on=TODAY.isoformat(),
    weight_measured_on=TODAY.isoformat(),
    labs_drawn_on=TODAY.isoformat(),
)
MEETS = CoverageForm(
    diagnosis="c50912",
    setting="metastatic",
    resistant_to=("anthracycline", "taxane"),
)


def order_view(**changes: str) -> ViewState:
    return present(replace(CAPE, **changes), PREFS, TODAY)


def coverage_of(form: CoverageForm = MEETS, view: ViewState | None = None, patient: str = ""):
    return present_coverage(form, view or order_view(), patient, TODAY)


# --- vocabulary -------------------------------------------------------------------------------


def test_choices_are_the_cores_and_the_policys() -> None:
    assert [v for v, _ in coverage_text.REQUEST_CHOICES] == [r.value for r in RequestType]
    assert [v for v, _ in coverage_text.SETTING_CHOICES] == [s.value for s in Setting]
    assert [v for v, _ in coverage_text.RESPONSE_CHOICES] == [r.value for r in Response]
    assert [v for v, _, _ in coverage_text.THERAPY_CHOICES] == [t.value for t in PriorTherapy]
    toxicities = load_policy().coverage.toxicities
    assert [c for c, _, _ in coverage_text.TOXICITY_CHOICES] == [t.code for t in toxicities]
    shown = [label.replace("&", "").lower() for _, label, _ in coverage_text.TOXICITY_CHOICES]
    assert shown == [t.wording for t in toxicities]


def test_every_answer_has_a_label() -> None:
    names = {f.name for f in dataclasses.fields(CoverageOrder)}
    assert set(coverage_text.COVERAGE_LABELS) == names


def test_the_missing_answer_codes_are_the_cores() -> None:
    core = REPO / "ixempra_gui" / "core"
    sources = [*core.glob("coverage*.py"), core / "diagnosis.py"]
    text = "".join(path.read_text(encoding="utf-8") for path in sources)
    for code in MISSING_ANSWERS:
        assert f'"{code}"' in text, code


def test_the_coverage_tabs_first_words_load_nothing_and_its_presenter_no_qt() -> None:
    """The tab's words before any calculation (coverage_text) load neither Qt nor the core: the
    tab is built before them. Its presenter loads the core (reached through the loader, after
    the first frame) and never Qt."""
    code = (
        "import sys\n"
        "def loaded(): return sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('pint', 'PySide6') or m.startswith('ixempra_gui.core.'))\n"
        "import ixempra_gui.presentation.coverage_text\n"
        "print(loaded())\n"
        "import ixempra_gui.presentation.coverage_view, ixempra_gui.presentation.prior_auth_sheet\n"
        "print([m for m in loaded() if not m.startswith(('pint', 'ixempra_gui.core.'))])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines() == ["[]", "[]"]


def test_initial_view_checks_nothing() -> None:
    view = initial_coverage_view()
    assert view.kind is VerdictKind.NOT_CHECKED and not view.pa_enabled and view.coverage is None


# --- answers → the core's order ---------------------------------------------------------------


def test_renewal_answers_reach_the_core_only_for_a_renewal() -> None:
    form = replace(MEETS, response="stable", unacceptable_toxicities=("myelosuppression",))
    initial = coverage_order(form)
    assert initial.response is None and initial.unacceptable_toxicity is None
    assert initial.resistant_to == "anthracycline,taxane" and initial.diagnosis == "c50912"
    renewal = coverage_order(replace(form, request="renewal"))
    assert renewal.response == "stable" and renewal.unacceptable_toxicity == "myelosuppression"
    assert coverage_order(replace(MEETS, request_date="")).request_date is None  # today


# --- verdicts ---------------------------------------------------------------------------------


def test_metastatic_resistant_capecitabine_meets_i() -> None:
    view = coverage_of(patient="MRN-0042")
    assert view.kind is VerdictKind.MEETS
    assert view.verdict == "MEETS I.1.A.i"
    assert "Authorization 2025-08-31 to 2026-02-28 (6 months)" in view.detail
    assert view.authorization == "2025-08-31 to 2026-02-28 (6 months)"
    assert view.findings == ()
    assert view.diagnosis_code == "C50.912"
    (message,) = view.field_messages["diagnosis"]
    assert message.kind is MessageKind.NOTE and message.text.startswith("C50.912 — Malignant")
    assert [(ln.section, ln.outcome) for ln in view.criteria] == [
        ("ICD-10 Diagnoses", "met"),
        ("I.1.A", "met"),
        ("I.1.A.i", "met"),
        ("I.1.A.ii", "not applicable"),
    ]
    assert [ln.outcome for ln in view.exclusions] == ["does not apply"] * 5
    assert not any(ln.problem for ln in (*view.criteria, *view.exclusions))
    facts = dict(view.order_facts)
    assert facts["Patient identifier"] == "MRN-0042"
    assert facts["Regimen"] == "With capecitabine"
    assert facts["Dose"] == "72.8 mg (40 mg/m²)"
    assert facts["Billable units"] == "J9207 75 units (73 administered + 2 discarded, JW) per dose"
    assert view.pa_enabled and "meets I.1.A.i".upper() in view.pa_tooltip.upper()


def test_the_window_and_the_cli_agree(capsys: pytest.CaptureFixture[str]) -> None:
    """The same order and answers through ixempra-calc give the same verdict and reasons."""
    cases = [
        (MEETS, {}),
        (replace(MEETS, setting="adjuvant"), {}),
        (replace(MEETS, diagnosis="C50.9"), {}),
        (MEETS, {"--ast": "120 U/L"}),
        (replace(MEETS, resistant_to=("taxane",), anthracycline_contraindicated=True), {}),
        (replace(MEETS, request="renewal", response="progression"), {}),
    ]
    for form, changes in cases:
        order = coverage_order(form)
        flags = [
            *(["--request", order.request] if order.request else []),
            *(["--diagnosis", order.diagnosis] if order.diagnosis else []),
            *(["--setting", order.setting] if order.setting else []),
            *(["--resistant-to", order.resistant_to] if order.resistant_to else []),
            *(["--anthracycline-contraindicated"] if order.anthracycline_contraindicated else []),
            *(["--response", order.response] if order.response else []),
            "--request-date",
            TODAY.isoformat(),
            "--json",
        ]
        with contextlib.suppress(SystemExit):
            cli.main(cli_args({"--regimen": "capecitabine", **changes}, tuple(flags)))
        out = json.loads(capsys.readouterr().out)["coverage"]
        form_changes = {k[2:].replace("-", "_"): v for k, v in changes.items()}
        view = coverage_of(form, order_view(**form_changes))
        assert (view.kind is VerdictKind.MEETS) == out["meets_criteria"], form
        if out["meets_criteria"]:
            assert view.verdict == f"MEETS {out['criterion']}"
        expected = [f"[{f['section']}] {f['message']}" for f in out["unmet"] + out["exclusions"]]
        assert list(view.findings) == expected, form


def test_capecitabine_with_ast_3_uln_is_exclusion_3_from_the_dose() -> None:
    view = coverage_of(view=order_view(ast="120 U/L"))
    assert view.kind is VerdictKind.NOT_MET
    assert view.verdict == "DOES NOT MEET MG.MM.PH.153"
    assert "Exclusion applies: Limitations/Exclusions 3." in view.detail
    (finding,) = view.findings
    assert finding.startswith("[Limitations/Exclusions 3] From the dose calculation:")
    excl3 = view.exclusions[2]
    assert excl3.section == "Limitations/Exclusions 3" and excl3.outcome == "APPLIES"
    assert excl3.problem and "AST 3×ULN" in excl3.answer
    assert not view.pa_enabled and "NO DOSE: CONTRAINDICATED" in view.pa_tooltip
    assert dict(view.order_facts)["Dose"] == "—"


def test_exclusion_2_is_read_from_the_dose_result_not_recomputed() -> None:
    """A dose result whose level is over 40 mg/m² (here planted) is exclusion 2: the tab reads
    the level the dose rules set, it has no rule of its own."""
    from ixempra_gui.core.calculator import calculate
    from ixempra_gui.presentation.order_view import build_order

    result = calculate(build_order(CAPE, PREFS))
    planted = replace(result, dose_level_mg_per_m2=Decimal("40.1"))
    view = coverage_of(view=render(CAPE, planted))
    assert [f.split("]")[0] for f in view.findings] == ["[Limitations/Exclusions 2"]
    assert "40.1 mg/m²" in view.exclusions[1].answer


def test_adjuvant_is_exclusion_1_and_i_1_a_unmet() -> None:
    view = coverage_of(replace(MEETS, setting="adjuvant"))
    assert view.kind is VerdictKind.NOT_MET
    sections = [f.split("]")[0].lstrip("[") for f in view.findings]
    assert sections == ["I.1.A", "Limitations/Exclusions 1"]
    assert "Not met: I.1.A." in view.detail
    assert "Exclusion applies: Limitations/Exclusions 1." in view.detail
    assert view.authorization.startswith("None: the criteria are not met")
    assert view.pa_enabled  # a reviewer is told the truth: the summary says "does not meet"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("C50.9", "is a category, not a complete (billable) code"),
        ("C34.90", "is not on the policy's ICD-10 list"),
        ("C5O.912", "is not an ICD-10 code"),
    ],
)
def test_a_refused_code_shows_the_cores_reason(typed: str, reason: str) -> None:
    view = coverage_of(replace(MEETS, diagnosis=typed))
    (message,) = view.field_messages["diagnosis"]
    assert message.kind is MessageKind.ERROR and reason in message.text
    assert view.kind is VerdictKind.NOT_MET and "Not met: ICD-10 Diagnoses." in view.detail
    assert view.diagnosis_code is None


def test_unanswered_questions_are_listed_not_shouted() -> None:
    view = coverage_of(CoverageForm())
    assert "diagnosis" not in view.field_messages
    assert "Still needed: ICD-10 diagnosis, disease setting." in view.detail
    assert "Not met: I.1.A.i." in view.detail  # no resistance ticked is an answer: none


def test_incomplete_order_leaves_the_regimen_unknown() -> None:
    view = coverage_of(view=order_view(height=""))
    assert "Still needed: the regimen and a complete order (Order tab)." in view.detail
    assert dict(view.order_facts)["Regimen"].startswith("not known")
    assert not view.pa_enabled


def test_a_malformed_date_is_an_input_error_and_nothing_is_checked() -> None:
    view = coverage_of(replace(MEETS, request_date="31/08/2025"))
    assert view.kind is VerdictKind.NOT_CHECKED and view.coverage is None
    (message,) = view.field_messages["request_date"]
    assert message.kind is MessageKind.ERROR and "YYYY-MM-DD" in message.text
    assert view.detail == "Correct the marked answers: Request date."
    assert not view.pa_enabled and "Request date" in view.pa_tooltip
    with pytest.raises(NotAvailableError):
        prior_auth_summary(view)


@pytest.mark.parametrize(("response", "meets"), [("response", True), ("stable", True)])
def test_renewal_meets_ii(response: str, meets: bool) -> None:
    view = coverage_of(replace(MEETS, request="renewal", response=response))
    assert view.kind is VerdictKind.MEETS and view.verdict == "MEETS II"
    assert [ln.section for ln in view.criteria][-3:] == ["II.1", "II.2", "II.3"]


def test_renewal_with_a_toxicity_or_without_a_response() -> None:
    toxic = coverage_of(
        replace(
            MEETS,
            request="renewal",
            response="stable",
            unacceptable_toxicities=("hypersensitivity",),
        )
    )
    assert toxic.kind is VerdictKind.NOT_MET and "Not met: II.3." in toxic.detail
    assert "hypersensitivity reactions" in toxic.findings[0]
    silent = coverage_of(replace(MEETS, request="renewal"))
    assert "Still needed: response on Ixempra." in silent.detail


def test_progression_on_ixempra_is_exclusion_4() -> None:
    view = coverage_of(replace(MEETS, progression_on_ixempra=True))
    assert [f.split("]")[0] for f in view.findings] == ["[Limitations/Exclusions 4"]


def test_stale_measurements_keep_the_verdict_but_not_the_summary() -> None:
    old = (TODAY - timedelta(days=31)).isoformat()
    view = coverage_of(view=order_view(weight_measured_on=old))
    assert view.kind is VerdictKind.MEETS
    assert not view.pa_enabled and "NO DOSE: INPUT NEEDED" in view.pa_tooltip


def test_the_summary_is_the_cores() -> None:
    view = coverage_of(patient=" MRN-0042 ")
    summary = prior_auth_summary(view)
    fields = {f.label: f.value for s in summary.sections for f in s.fields}
    assert fields["Patient identifier"] == "MRN-0042"
    assert fields["Dose"] == "72.8 mg IV over 3 h"
    assert fields["Schedule"].startswith("one dose every 21 days")
    assert summary.verdict == "meets I.1.A.i"
