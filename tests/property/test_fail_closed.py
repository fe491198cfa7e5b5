"""Fail closed, over the whole input space (issue 12): a dose is ready exactly when the status is
ok and no stop stands, and a ready dose always has a level, vials, billing and a bag in range.
Fields the double check does not re-enter never change the status, the level or the dose."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from test_invariants import orders

from ixempra_gui.core import label, order_fields
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import DoseResult, Order, Severity, Status
from ixempra_gui.core.report import to_json_dict
from ixempra_gui.core.toxicity import TABLE_1, Action

EVENT_CODES = [row.code for row in TABLE_1]

#: Orders near the usual adult with usual labs, beside the whole space (``orders``): most draws
#: of the whole space are contraindicated or invalid, and the ready doses must be drawn too.
usual_orders = st.builds(
    Order,
    height=st.integers(140, 200).map(lambda n: f"{n} cm"),
    weight=st.integers(35, 140).map(lambda n: f"{n} kg"),
    regimen=st.sampled_from(["monotherapy", "capecitabine"]),
    ast=st.integers(5, 120).map(lambda n: f"{n} U/L"),
    ast_uln=st.just("40 U/L"),
    alt=st.integers(5, 120).map(lambda n: f"{n} U/L"),
    alt_uln=st.just("40 U/L"),
    bilirubin=st.sampled_from(["0.4", "0.8", "1.1", "1.2", "1.3", "1.8", "2.4", "3.2"]),
    bilirubin_uln=st.just("1.2 mg/dL"),
    bsa_formula=st.sampled_from(["mosteller", "dubois", "haycock", "gehan-george", "boyd"]),
    strong_cyp3a4_inhibitor=st.booleans(),
    gilbert_syndrome=st.booleans(),
)
any_order = st.one_of(usual_orders, orders)


def _mostly(
    common: st.SearchStrategy, rare: st.SearchStrategy, weight: int = 6
) -> st.SearchStrategy:
    """``common`` about ``weight`` times as often as ``rare`` (ready doses must be drawn too)."""
    return st.sampled_from(range(weight + 1)).flatmap(lambda i: rare if i == weight else common)


everything = st.fixed_dictionaries(
    {
        "anc": _mostly(
            st.integers(1400, 6000).map(str), st.sampled_from([None, "", "0", "1499", "1500"])
        ),
        "platelets": _mostly(
            st.integers(95, 400).map(lambda n: f"{n} 10^9/L"), st.sampled_from([None, ""])
        ),
        "current_nonheme_toxicity_grade": _mostly(
            st.sampled_from([None, 0, 1]), st.integers(2, 4), 3
        ),
        "worst_events": _mostly(
            st.just(()), st.lists(st.sampled_from(EVENT_CODES), max_size=3).map(tuple), 2
        ),
        "confirm_reduction": st.booleans(),
        "toxicity_reductions": st.integers(0, 3),
        "reduction_mode": st.sampled_from(["relative", "absolute"]),
        "reduction_reason": st.just("grade 3 neuropathy, cycle 2"),
        "strong_cyp3a4_inducer": st.booleans(),
        "cremophor_hypersensitivity": _mostly(st.just(False), st.just(True), 10),
        "dose_level": _mostly(
            st.none(), st.sampled_from(["20 mg/m2", "32 mg/m2", "40 mg/m2", "50 mg/m2"]), 2
        ),
        "hepatic_escalation_level": _mostly(st.none(), st.just("25 mg/m2"), 12),
        "round_to_vial_within": st.one_of(st.none(), st.sampled_from(["5", "10"])),
        "diluent": _mostly(st.just("lactated-ringers"), st.just("sodium-chloride"), 2),
        "bag_sizes": st.lists(
            st.sampled_from([50, 100, 250, 500, 1000]), min_size=1, max_size=4, unique=True
        ).map(lambda b: ",".join(map(str, b))),
        "prior_hypersensitivity": st.booleans(),
        "acknowledge_warnings": _mostly(st.just(True), st.just(False), 10),
        "prepared_at": st.datetimes(datetime(2000, 1, 1), datetime.now() + timedelta(days=360)).map(
            lambda d: d.isoformat(timespec="minutes")
        ),
    }
)


#: Options under which a dose is often ready (every start-of-cycle criterion met, no event).
benign = everything.map(
    lambda o: {
        **o,
        "anc": "1800",
        "platelets": "150000",
        "current_nonheme_toxicity_grade": None,
        "worst_events": (),
        "cremophor_hypersensitivity": False,
        "hepatic_escalation_level": None,
        "acknowledge_warnings": True,
    }
)


def _stops(result: DoseResult) -> bool:
    """A stop stands: a stop reason, or an issue that blocks (an error, an unaccepted warning)."""
    return any(r.severity is Severity.STOP for r in result.reasons) or bool(result.errors)


@settings(max_examples=600, deadline=None)
@given(any_order, st.one_of(everything, benign))
def test_ready_iff_ok_iff_no_stop(order: Order, options: dict[str, object]) -> None:
    result = calculate(replace(order, **options))
    ready = result.ready_to_prepare
    assert ready == (result.status is Status.OK) == (not _stops(result))
    assert to_json_dict(result).get("ready_to_prepare", False) is ready
    if not ready:
        assert result.dose_mg is None and result.vials is None and result.billing is None
        assert result.preparation is None and result.dose_level_mg_per_m2 is None
        payload = to_json_dict(result)
        for key in ("dose_mg", "vials", "billing", "preparation", "volume_ml"):
            assert payload.get(key) is None
        return
    p, dose = result.preparation, result.dose_mg
    assert dose is not None and result.vials is not None and result.billing is not None
    assert p is not None and p.bag_ml is not None and p.final_volume_ml is not None
    assert label.FINAL_MIN_MG_PER_ML <= dose / p.final_volume_ml <= label.FINAL_MAX_MG_PER_ML
    level = result.dose_level_mg_per_m2
    assert level is not None
    # The 4-hour infusion belongs to an inducer dose above 40 mg/m² only (spec §3).
    assert p.infusion_hours == (4 if options["strong_cyp3a4_inducer"] and level > 40 else 3)


@settings(max_examples=300, deadline=None)
@given(any_order, everything)
def test_each_rule_of_issue_12_holds(order: Order, options: dict[str, object]) -> None:
    result = calculate(replace(order, **options))
    errors = {(e.field, e.code) for e in result.errors}
    for count in ("anc", "platelets"):
        if not options[count]:
            assert result.status is Status.INVALID_INPUT and (count, "required") in errors
    if options["cremophor_hypersensitivity"]:
        assert result.status in (Status.CONTRAINDICATED, Status.INVALID_INPUT)
    rows = [r for r in TABLE_1 if r.code in options["worst_events"]]  # type: ignore[operator]
    if any(r.action is Action.DISCONTINUE for r in rows) or (
        options["current_nonheme_toxicity_grade"] == 4
    ):
        assert not result.ready_to_prepare
    strongest = max((r.action for r in rows), default=Action.NO_CHANGE)
    if result.status is Status.OK and strongest is Action.DECREASE_20:
        assert options["confirm_reduction"]
    if (
        strongest is Action.DECREASE_20
        and not options["confirm_reduction"]
        and options["current_nonheme_toxicity_grade"] != 4
    ):
        assert result.status in (
            Status.INVALID_INPUT,
            Status.CONTRAINDICATED,
            Status.NOT_RECOMMENDED,
        )


NOT_REENTERED = [
    f.key
    for f in order_fields.ORDER_FIELDS
    if f.owner is order_fields.Owner.ORDER and not f.reentered
]
alternatives = {
    "reduction_reason": st.sampled_from(["febrile neutropenia", "neuropathy", "x" * 500]),
    "prior_hypersensitivity": st.booleans(),
    "prepared_at": st.datetimes(datetime(2000, 1, 1), datetime.now() + timedelta(days=360)).map(
        lambda d: d.isoformat(timespec="minutes")
    ),
}


def test_every_field_not_reentered_has_an_alternative_here() -> None:
    assert sorted(NOT_REENTERED) == sorted(alternatives), "a new field needs its property"


@settings(max_examples=300, deadline=None)
@given(any_order, everything, st.fixed_dictionaries(alternatives))
def test_fields_not_reentered_never_change_status_level_or_dose(
    order: Order, options: dict[str, object], changes: dict[str, object]
) -> None:
    first = calculate(replace(order, **options))
    second = calculate(replace(order, **{**options, **changes}))
    assert second.status is first.status
    assert second.dose_level_mg_per_m2 == first.dose_level_mg_per_m2
    assert second.dose_mg == first.dose_mg
    if first.dose_mg is not None:
        assert isinstance(first.dose_mg, Decimal)
