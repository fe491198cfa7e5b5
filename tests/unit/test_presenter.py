"""The presenter: form text → core → display strings. No Qt needed (runs in the no-Qt venv)."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_number
from ixempra_gui.core.models import Order, Status
from ixempra_gui.core.report import STATUS_WORDS, to_json_dict
from ixempra_gui.presentation import order_view as presenter
from ixempra_gui.presentation.order_view import (
    DASH,
    FormInput,
    MessageKind,
    StatusKind,
    build_order,
    present,
    render,
)
from ixempra_gui.presentation.preferences import Preferences

TODAY = date(2025, 5, 1)
PREFS = Preferences()

# Reference case v01 as typed into the form, measured today.
V01 = FormInput(
    height="170 cm",
    weight="70 kg",
    regimen="monotherapy",
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


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def view_of(**changes: Any) -> presenter.ViewState:
    return present(replace(V01, **changes), PREFS, TODAY)


def form_from_cli_args(args: dict[str, str], flags: list[str]) -> FormInput:
    fields = {key[2:].replace("-", "_"): value for key, value in args.items()}
    fields.update({flag[2:].replace("-", "_"): True for flag in flags})
    if "strong_cyp3a4_inhibitor" not in fields:
        fields["strong_cyp3a4_inhibitor"] = False
    fields.pop("gilbert_syndrome", None)
    return replace(V01, **fields)


def test_reference_cases_show_the_cli_figures(reference_cases: list[dict[str, Any]]) -> None:
    for case in reference_cases:
        form = form_from_cli_args(case["args"], case["flags"])
        view = present(form, PREFS, TODAY)
        expected = case["expected"]
        if expected["status"] == "ok":
            assert view.kind is StatusKind.READY, case["id"]
            dose = format_number(Decimal(str(expected["dose_mg"])))
            assert view.dose_value == f"{dose} mg", case["id"]
            counts = sorted(((int(s), n) for s, n in expected["vials"].items()), reverse=True)
            assert view.vials_value == " + ".join(f"{n} × {s} mg" for s, n in counts if n)
            units = expected["billing"]["units_administered"]
            assert f"J9207 × {units} units" in view.billing_value or (
                f"J9207-JZ × {units} units" in view.billing_value
            ), case["id"]
            assert expected["billing"]["modifier"] in view.billing_value
            bsa = format_number(Decimal(str(expected["bsa_m2"])))
            assert view.bsa_value.startswith(f"{bsa} m²"), case["id"]
            assert ("capped at 2.2 m²" in view.bsa_value) == expected["bsa_capped"]
        else:
            assert view.kind.value == expected["status"], case["id"]
            assert view.dose_value == DASH and view.vials_value == DASH
            assert view.billing_value == DASH and not view.ready


def test_view_agrees_with_the_cli_json_of_the_same_order() -> None:
    form = replace(V01, height="5 ft 7 in", weight="154 lb", regimen="capecitabine")
    out = to_json_dict(calculate(build_order(form, PREFS)))
    view = present(form, PREFS, TODAY)
    assert view.dose_value == f"{format_number(Decimal(str(out['dose_mg'])))} mg"
    assert view.level_value == f"{format_number(Decimal(str(out['dose_level_mg_per_m2'])))} mg/m²"
    assert view.inputs_echo[0] == ("Height", "5 ft 7 in (170.18 cm)")
    assert view.inputs_echo[1] == ("Weight", "154 lb (69.85 kg)")


def test_whole_doses_have_no_trailing_zero() -> None:
    view = view_of(height="190 cm", weight="110 kg")  # BSA 2.41 m², capped: 88 mg
    assert view.dose_value == "88 mg"
    assert view.bsa_value == "2.41 m² → capped at 2.2 m²"
    assert "the dose is calculated on 2.2 m²" in view.bsa_detail


def test_banner_words_are_the_clis() -> None:
    for status, words in STATUS_WORDS.items():
        kind = StatusKind.INPUT_NEEDED if status is Status.INVALID_INPUT else StatusKind.READY
        if status not in (Status.OK, Status.INVALID_INPUT):
            kind = StatusKind(status.value)
        assert presenter.BANNER_TEXT[kind] == words


def test_empty_form_needs_input_without_inline_errors() -> None:
    view = present(FormInput(), PREFS, TODAY)
    assert view.kind is StatusKind.INPUT_NEEDED
    assert view.dose_value == DASH and view.bsa_value == DASH and not view.ready
    errors = [k for k, msgs in view.field_messages.items() if msgs[0].kind is MessageKind.ERROR]
    assert errors == []
    assert "Still needed: Height, Weight" in view.banner_detail
    assert "Regimen" in view.banner_detail


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("height", "70 kg", "is a weight, not a height"),
        ("weight", "170 cm", "is a length, not a weight"),
        ("height", "abc", "is not a number with a unit"),
        ("weight", "7,5", "uses a comma"),
        ("ast", "30 u", "unit 'u' is not accepted here"),
        ("ast_uln", "0 U/L", "must be greater than zero"),
        ("bilirubin", "nan", "is not a finite number"),
        ("height", "20 cm", "outside the possible range"),
    ],
)
def test_each_invalid_input_gets_its_message_and_no_dose(
    field: str, text: str, expected: str
) -> None:
    view = view_of(**{field: text})
    assert view.kind is StatusKind.INPUT_NEEDED
    assert view.dose_value == DASH and view.vials_value == DASH and view.billing_value == DASH
    messages = view.field_messages[field]
    assert messages[0].kind is MessageKind.ERROR
    assert expected in messages[0].text
    assert "Accepted:" in messages[0].text
    assert "Correct the marked fields" in view.banner_detail


def test_unusual_value_must_be_acknowledged() -> None:
    view = view_of(height="130 cm")
    assert view.kind is StatusKind.INPUT_NEEDED and view.dose_value == DASH
    assert view.field_messages["height"][0].kind is MessageKind.WARNING
    acknowledged = view_of(height="130 cm", acknowledge_warnings=True)
    assert acknowledged.kind is StatusKind.READY and acknowledged.dose_value != DASH
    assert acknowledged.field_messages["height"][0].kind is MessageKind.NOTE


@pytest.mark.parametrize(
    ("field", "limit"),
    [("height_measured_on", 30), ("weight_measured_on", 30), ("labs_drawn_on", 3)],
)
def test_measurement_age_limits(field: str, limit: int) -> None:
    at_limit = view_of(**{field: days_ago(limit)})
    assert at_limit.kind is StatusKind.READY and field not in at_limit.field_messages
    over = view_of(**{field: days_ago(limit + 1)})
    assert over.kind is StatusKind.INPUT_NEEDED and over.dose_value == DASH
    assert over.field_messages[field][0].kind is MessageKind.WARNING
    assert f"{limit + 1} days ago" in over.field_messages[field][0].text
    checked = view_of(**{field: days_ago(limit + 1)}, acknowledge_warnings=True)
    assert checked.kind is StatusKind.READY
    assert any("acknowledged" in r.message for r in checked.reasons)


def test_staleness_limits_come_from_the_preferences() -> None:
    prefs = replace(PREFS, labs_max_age_days=7)
    form = replace(V01, labs_drawn_on=days_ago(7))
    assert present(form, prefs, TODAY).kind is StatusKind.READY
    assert present(form, PREFS, TODAY).kind is StatusKind.INPUT_NEEDED


def test_future_date_is_an_error_even_when_warnings_are_acknowledged() -> None:
    view = view_of(weight_measured_on=days_ago(-1), acknowledge_warnings=True)
    assert view.kind is StatusKind.INPUT_NEEDED and view.dose_value == DASH
    assert view.field_messages["weight_measured_on"][0].kind is MessageKind.ERROR


def test_contraindicated_shows_the_reason_and_no_dose() -> None:
    view = view_of(regimen="capecitabine", ast="120 U/L", height="165 cm", weight="60 kg")  # v04
    assert view.kind is StatusKind.CONTRAINDICATED
    assert view.banner_text == "NO DOSE: CONTRAINDICATED"
    assert "contraindicated" in view.banner_detail and "AST 3×ULN > 2.5×ULN" in view.banner_detail
    assert view.dose_value == DASH and view.level_value == DASH and view.vials_value == DASH
    assert view.bsa_value == "1.66 m²"  # an intermediate figure, not a dose
    assert "Not available" in view.print_tooltip


def test_hold_never_shows_a_dose_even_if_the_result_carries_one() -> None:
    result = calculate(build_order(V01, PREFS))
    held = replace(result, status=Status.HOLD)
    view = render(V01, held)
    assert view.kind is StatusKind.HOLD and view.banner_text == "NO DOSE: HOLD"
    assert not view.ready
    assert (view.dose_value, view.vials_value, view.billing_value, view.level_value) == (DASH,) * 4
    assert view.preparation_lines == () and view.vial_fill == ()
    assert "on hold" in view.print_tooltip


def test_not_recommended() -> None:
    view = view_of(alt="450 U/L")
    assert view.kind is StatusKind.NOT_RECOMMENDED and view.dose_value == DASH
    assert "ALT 11.25×ULN > 10×ULN" in view.banner_detail


def test_unit_selectors_read_bare_numbers_and_typed_units_win() -> None:
    assert view_of(height="67", height_unit="in").bsa_value == view_of(height="67 in").bsa_value
    typed = view_of(height="5 ft 7 in", height_unit="cm")
    assert typed.kind is StatusKind.READY and typed.inputs_echo[0][1] == "5 ft 7 in (170.18 cm)"
    assert view_of(weight="154", weight_unit="lb").inputs_echo[1][1] == "154 lb (69.85 kg)"
    # the lab's selector applies to its ULN too: 0.5 µkat/L of 0.6 µkat/L
    ukat = view_of(ast="0.5", ast_uln="0.6", ast_unit="ukat/l")
    assert ukat.gauge[0].text == "0.83×ULN"
    assert "(431.8 cm)" in view_of(height="170", height_unit="in").field_messages["height"][0].text


def test_level_rules_and_reasons_carry_their_sources() -> None:
    view = view_of(strong_cyp3a4_inhibitor=True)
    assert view.level_value == "20 mg/m²"
    applied = [r for r in view.level_rules if r.startswith("✔")]
    assert len(applied) == 1 and "CYP3A4" in applied[0] and "IXEMPRA PI" in applied[0]
    assert all(r.source for r in view.reasons)


def test_gauge_marks_the_label_thresholds() -> None:
    view = view_of(bilirubin="1.8 mg/dL")
    assert view.gauge_thresholds == (
        (1.0, "1"),
        (1.5, "1.5"),
        (2.5, "2.5"),
        (3.0, "3"),
        (10.0, "10"),
    )
    assert [(b.label, b.text) for b in view.gauge] == [
        ("AST", "0.75×ULN"),
        ("ALT", "0.63×ULN"),
        ("Bilirubin", "1.5×ULN"),
    ]
    assert "Thresholds marked: 1, 1.5, 2.5, 3, 10 ×ULN" in view.gauge_description


def test_vial_picture_pours_the_dose_largest_vial_first() -> None:
    view = view_of()
    assert [(v.strength_mg, v.text) for v in view.vial_fill] == [
        (45, "45 mg of 45 mg used"),
        (15, "15 mg of 15 mg used"),
        (15, "12.8 mg of 15 mg used"),
    ]
    used = sum(Decimal(v.text.split(" mg")[0]) for v in view.vial_fill)
    assert used == Decimal("72.8")


def test_preparation_and_billing_lines() -> None:
    view = view_of()
    steps = view.preparation_lines
    assert steps[0] == (
        "1. Reconstitute 1 × 45 mg vial with 23.5 mL of the supplied diluent → 2 mg/mL"
    )
    assert steps[2] == "3. Withdraw 36.4 mL (72.8 mg)"
    assert any(line.startswith("Premedication:") for line in steps)
    lines = view.billing_value.splitlines()
    # the 45 mg kit's package code is unverified: every claim line names the dose's NDCs (a
    # 45 mg and a 15 mg kit), the unverified one marked; no separate NDC line repeats them
    ndcs = "NDCs 70020-1911-01 (unverified), 70020-1910-01"
    assert lines == [
        f"J9207 × 73 units: administered — {ndcs}",
        f"J9207-JW × 2 units: discarded (single-dose vials) — {ndcs}",
    ]


def test_order_carries_the_selected_units_for_bare_numbers() -> None:
    order = build_order(replace(V01, height_unit="in", bilirubin_unit="umol/l"), PREFS)
    units = dict(order.default_units)
    assert units["height"] == "in" and units["bilirubin_uln"] == "umol/l"
    assert {f.name for f in dataclasses.fields(Order)} >= {"height", "default_units"}


def test_initial_view_needs_input_and_imports_no_core() -> None:
    view = presenter.initial_view()
    assert view.kind is StatusKind.INPUT_NEEDED and view.dose_value == DASH


def test_what_the_window_imports_before_its_first_frame_loads_neither_qt_nor_the_core() -> None:
    """The window is painted before the core (and pint) load (bench/startup.py): the session and
    the light presentation modules reach the presenter only through ``presentation.loader``,
    which imports it on first use, and then the core comes with it."""
    import subprocess
    import sys

    from conftest import REPO

    code = (
        "import sys\n"
        "import ixempra_gui.presentation.session, ixempra_gui.presentation.order_state\n"
        "import ixempra_gui.presentation.preferences, ixempra_gui.presentation.fields\n"
        "from ixempra_gui.presentation import loader\n"
        "def heavy():\n"
        "    return sorted(m for m in sys.modules if m.split('.')[0] in ('pint', 'PySide6')\n"
        "                  or m in ('ixempra_gui.core.calculator', 'datetime',\n"
        "                           'ixempra_gui.presentation.order_view'))\n"
        "print(heavy(), loader.loaded())\n"
        "loader.order_view.present\n"
        "print(heavy(), loader.loaded())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    before, after = proc.stdout.strip().splitlines()
    assert before == "[] ()"
    assert after.startswith("[") and "'ixempra_gui.core.calculator'" in after and "'pint'" in after
    assert "'PySide6" not in after and after.endswith("('order_view',)")


def test_selector_choices_are_the_cores() -> None:
    from ixempra_gui.core.bsa import FORMULA_NAMES
    from ixempra_gui.core.models import BsaFormula, Regimen
    from ixempra_gui.presentation.fields import field

    assert [v for v, _ in field("regimen").choices] == [r.value for r in Regimen]
    formulas = dict(field("bsa_formula").choices)
    assert formulas == {f.value: FORMULA_NAMES[f] for f in BsaFormula}
    assert next(iter(formulas)) == "mosteller"  # the default comes first


def test_failure_view_shows_no_figure() -> None:
    view = presenter.failure_view()
    assert not view.ready and view.dose_value == DASH and "INTERNAL ERROR" in view.banner_text


def test_default_uln_checked_in_the_cores_words() -> None:
    assert presenter.uln_problem("ast_uln", "40 U/L") is None
    assert presenter.uln_problem("bilirubin_uln", "20.5 µmol/L") is None
    problem = presenter.uln_problem("bilirubin_uln", "1.2 mg")
    assert problem is not None and "Total bilirubin upper limit of normal" in problem


NOW = datetime(2025, 5, 1, 9, 30)


@pytest.mark.parametrize(
    ("anc", "platelets", "kind"),
    [
        ("1500 /mm3", "100000 /mm3", StatusKind.READY),  # exactly at both limits
        ("1499 /mm3", "100000 /mm3", StatusKind.HOLD),
        ("1500 /mm3", "99999 /mm3", StatusKind.HOLD),
        ("1.5 10^9/L", "100 10^9/L", StatusKind.READY),
    ],
)
def test_start_of_cycle_gate(anc: str, platelets: str, kind: StatusKind) -> None:
    view = view_of(anc=anc, platelets=platelets, current_nonheme_toxicity_grade="1")
    assert view.kind is kind
    assert view.gate_lines[0].startswith(
        "All start-of-cycle criteria met" if kind is StatusKind.READY else "Start-of-cycle"
    )
    if kind is StatusKind.HOLD:
        assert view.dose_value == DASH and view.banner_text == "NO DOSE: HOLD"
        assert "NOT MET" in " ".join(view.gate_lines)
        assert "on hold" in view.print_tooltip


def test_gate_not_checked_is_said_not_hidden() -> None:
    view = view_of()
    assert view.kind is StatusKind.READY
    assert view.gate_lines[0] == "Start-of-cycle criteria not fully checked."
    grade = "Current non-hematologic toxicity"
    assert f"Start-of-cycle criteria not checked: {grade}." in view.banner_detail
    assert any(f"{grade}: not entered — not checked" in line for line in view.gate_lines)
    assert any(line.startswith("ANC: 1,800 /mm³ — met") for line in view.gate_lines)


def test_nonheme_toxicity_grade_two_holds() -> None:
    assert view_of(current_nonheme_toxicity_grade="1").kind is StatusKind.READY
    assert view_of(current_nonheme_toxicity_grade="2").kind is StatusKind.HOLD


def test_toxicity_reduction_needs_its_reason() -> None:
    missing = view_of(toxicity_reductions="1")
    assert missing.kind is StatusKind.INPUT_NEEDED
    assert "Still needed: Reduction reason" in missing.banner_detail  # empty: listed, not shouted
    given = view_of(toxicity_reductions="1", reduction_reason="grade 3 neuropathy, cycle 2")
    assert given.level_value == "32 mg/m²" and given.dose_value == "58.2 mg"
    absolute = view_of(
        toxicity_reductions="2", reduction_reason="neuropathy", reduction_mode="absolute"
    )
    assert absolute.level_value == "24 mg/m²"


def test_prescribed_level_and_inducer_reach_the_core() -> None:
    assert view_of(dose_level="32 mg/m2").level_value == "32 mg/m²"
    refused = view_of(dose_level="45 mg/m2")
    assert refused.kind is not StatusKind.READY and refused.dose_value == DASH
    inducer = view_of(strong_cyp3a4_inducer=True)
    assert any("over 3 h" in line for line in inducer.preparation_lines)
    above_40 = view_of(strong_cyp3a4_inducer=True, dose_level="44 mg/m2")
    assert any("over 4 h" in line for line in above_40.preparation_lines)


def test_empty_prepared_at_means_now_and_sets_the_use_by_times() -> None:
    view = present(V01, PREFS, TODAY, NOW)
    # one local format, the zone stated once, then the times of that day alone
    times = next(line for line in view.preparation_lines if line.startswith("Prepared"))
    zone = NOW.astimezone().strftime("%z")
    assert times.startswith(f"Prepared 2025-05-01 09:30 (UTC{zone[:3]}:{zone[3:]}): ")
    assert "use by 10:30" in times and "complete by 15:30" in times
    typed = present(replace(V01, prepared_at="2025-05-01T13:00"), PREFS, TODAY, NOW)
    assert any("use by 14:00" in line for line in typed.preparation_lines)
    late = present(replace(V01, prepared_at="2025-05-01T22:00"), PREFS, TODAY, NOW)
    assert any("complete by 2025-05-02 04:00" in line for line in late.preparation_lines)
    bad = present(replace(V01, prepared_at="1 pm"), PREFS, TODAY, NOW)
    assert bad.kind is StatusKind.INPUT_NEEDED
    assert bad.field_messages["prepared_at"][0].kind is MessageKind.ERROR


def test_bag_sizes_and_rounding_come_from_the_preferences() -> None:
    prefs = replace(PREFS, rounding_pct=Decimal(5))
    rounded = present(replace(V01, weight="80 kg"), prefs, TODAY, NOW)  # 77.6 mg → 75 mg
    assert rounded.dose_value == "75 mg"
    assert rounded.dose_note == "Rounded to the vials from 77.6 mg (-3.4%, within 5%)"
    assert "J9207-JZ × 75 units" in rounded.billing_value
    order = build_order(V01, replace(PREFS, bag_sizes_ml=(100, 500)))
    assert order.bag_sizes == "100,500" and order.round_to_vial_within is None
    small = present(V01, replace(PREFS, bag_sizes_ml=(100,)), TODAY, NOW)
    assert any("100 mL" in line for line in small.preparation_lines)


def test_sodium_chloride_diluent() -> None:
    view = present(replace(V01, diluent="sodium-chloride"), PREFS, TODAY, NOW)
    assert any("sodium bicarbonate" in line for line in view.preparation_lines)


def test_cycle_choices_are_the_cores() -> None:
    from ixempra_gui.core import label
    from ixempra_gui.core.models import Diluent, ReductionMode
    from ixempra_gui.core.toxicity import TABLE_1
    from ixempra_gui.presentation.fields import field

    def values(key: str) -> list[str]:
        return [v for v, _ in field(key).choices]

    assert values("diluent") == [d.value for d in Diluent]
    assert values("reduction_mode") == [m.value for m in ReductionMode]
    assert [int(v) for v in values("current_nonheme_toxicity_grade")] == list(range(5))
    counts = [int(v) for v in values("toxicity_reductions")]
    assert counts == list(range(label.MAX_TOXICITY_REDUCTIONS + 1))
    assert values("worst_events") == [row.code for row in TABLE_1]
