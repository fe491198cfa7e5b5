"""Invariants of issue #3 over the input space: bags in range, rounding within its percentage,
times in order, and no dose, preparation or billing unless the status is ok."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from test_invariants import orders

from ixempra_gui.core import label
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order, Status

cycle_options = st.fixed_dictionaries(
    {
        "anc": st.integers(0, 6000).map(lambda n: f"{n} /mm3"),
        "platelets": st.integers(0, 400).map(lambda n: f"{n} 10^9/L"),
        "current_nonheme_toxicity_grade": st.one_of(st.none(), st.integers(0, 4)),
        "toxicity_reductions": st.integers(0, 3),
        "reduction_mode": st.sampled_from(["relative", "absolute"]),
        "reduction_reason": st.just("documented toxicity"),
        "strong_cyp3a4_inducer": st.booleans(),
        "round_to_vial_within": st.one_of(
            st.none(), st.decimals(Decimal("0.5"), Decimal(10), places=1).map(str)
        ),
        "diluent": st.sampled_from(["lactated-ringers", "sodium-chloride"]),
        "bag_sizes": st.lists(
            st.sampled_from([50, 100, 250, 500, 1000]), min_size=1, max_size=4, unique=True
        ).map(lambda b: ",".join(map(str, b))),
        "prior_hypersensitivity": st.booleans(),
        "prepared_at": st.datetimes(datetime(2000, 1, 1), datetime.now() + timedelta(days=360)).map(
            lambda d: d.isoformat(timespec="minutes")
        ),
    }
)


@settings(max_examples=400, deadline=None)
@given(orders, cycle_options)
def test_cycle_invariants(order: Order, options: dict[str, object]) -> None:
    result = calculate(replace(order, **options))
    if result.status is not Status.OK:
        assert result.dose_mg is None and result.preparation is None and result.billing is None
        assert result.dose_rounding is None and result.vials is None
        return
    p, dose, level = result.preparation, result.dose_mg, result.dose_level_mg_per_m2
    assert p is not None and dose is not None and level is not None
    assert level <= 40 or (options["strong_cyp3a4_inducer"] and level <= 60)
    assert p.bag_ml is not None, "a ready dose always has a bag in range"
    concentration = dose / (p.bag_ml + p.withdraw_ml)
    assert label.FINAL_MIN_MG_PER_ML <= concentration <= label.FINAL_MAX_MG_PER_ML
    if options["diluent"] == "sodium-chloride":
        assert p.bag_ml in (250, 500) and p.bicarbonate_meq == 2
    rounding = result.dose_rounding
    if rounding is not None:
        change = abs(rounding.rounded_mg - rounding.unrounded_mg) / rounding.unrounded_mg * 100
        assert change <= rounding.within_pct
        assert rounding.rounded_mg == dose
    assert p.reconstituted_use_by and p.infusion_start_by and p.infusion_complete_by
    assert p.reconstituted_use_by <= p.infusion_start_by < p.infusion_complete_by
    gate = result.cycle_gate
    assert gate is not None and gate.passed is not False
