"""Invariants over the whole input space (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order, Status
from ixempra_gui.core.units import QUANTITY_FIELDS


def _decimal_text(low: str, high: str, places: int) -> st.SearchStrategy[str]:
    return st.decimals(Decimal(low), Decimal(high), places=places).map(lambda d: f"{d:f}")


heights = st.one_of(
    _decimal_text("50", "275", 1).map(lambda v: f"{v} cm"),
    _decimal_text("0.5", "2.75", 2).map(lambda v: f"{v} m"),
    _decimal_text("19.7", "108", 1).map(lambda v: f"{v} in"),
)
weights = st.one_of(
    _decimal_text("10", "500", 1).map(lambda v: f"{v} kg"),
    _decimal_text("22.1", "1100", 1).map(lambda v: f"{v} lb"),
)
enzymes = st.one_of(
    _decimal_text("1", "2000", 1).map(lambda v: f"{v} U/L"),
    _decimal_text("0.02", "30", 2).map(lambda v: f"{v} ukat/L"),
)
enzyme_ulns = _decimal_text("10", "150", 0).map(lambda v: f"{v} U/L")
bilirubins = st.one_of(
    _decimal_text("0.1", "20", 2).map(lambda v: f"{v} mg/dL"),
    _decimal_text("2", "340", 0).map(lambda v: f"{v} umol/L"),
)
bilirubin_ulns = st.sampled_from(["1 mg/dL", "1.2 mg/dL", "1.4 mg/dL", "21 umol/L", "17 umol/L"])
ancs = st.one_of(
    st.integers(0, 20000).map(lambda n: f"{n} /mm3"),
    _decimal_text("0", "20", 2).map(lambda v: f"{v} 10^9/L"),
)
platelet_counts = st.one_of(
    st.integers(0, 900_000).map(lambda n: f"{n:,} /mm3"),
    st.integers(0, 900).map(lambda n: f"{n} 10^9/L"),
)

orders = st.builds(
    Order,
    height=heights,
    weight=weights,
    regimen=st.sampled_from(["monotherapy", "capecitabine"]),
    ast=enzymes,
    ast_uln=enzyme_ulns,
    alt=enzymes,
    alt_uln=enzyme_ulns,
    bilirubin=bilirubins,
    bilirubin_uln=bilirubin_ulns,
    anc=ancs,
    platelets=platelet_counts,
    bsa_formula=st.sampled_from(["mosteller", "dubois", "haycock", "gehan-george", "boyd"]),
    strong_cyp3a4_inhibitor=st.booleans(),
    gilbert_syndrome=st.booleans(),
    acknowledge_warnings=st.just(True),
)


@settings(max_examples=400, deadline=None)
@given(orders)
def test_dose_invariants(order: Order) -> None:
    result = calculate(order)
    assert result.status is not Status.INVALID_INPUT, result.errors
    if result.status is not Status.OK:
        assert result.dose_mg is None and result.vials is None and result.billing is None
        assert result.dose_level_mg_per_m2 is None and not result.ready_to_prepare
        assert any(r.severity.value == "stop" for r in result.reasons)
        return
    level, dose = result.dose_level_mg_per_m2, result.dose_mg
    assert result.bsa and result.vials and result.billing and level is not None
    assert dose is not None and result.volume_ml is not None
    assert level <= 40 and dose <= 88
    assert result.bsa.used_m2 <= Decimal("2.2")
    assert dose == (level * result.bsa.used_m2).quantize(Decimal("0.1"), ROUND_HALF_UP)
    assert result.vials.total_mg >= dose and result.vials.total_mg - dose < 15
    billing = result.billing
    assert billing.units_administered + billing.units_wasted == result.vials.total_mg
    assert billing.units_administered >= dose > billing.units_administered - 1
    assert (billing.modifier == "JZ") == (billing.units_wasted == 0)
    assert abs(result.volume_ml * 2 - dose) <= Decimal("0.1")


def _with(order: Order, **changes: object) -> Order:
    return Order(**{**order.__dict__, **changes})


@settings(max_examples=200, deadline=None)
@given(orders, st.decimals(Decimal("1"), Decimal("20"), places=2))
def test_worse_labs_never_raise_the_level(order: Order, factor: Decimal) -> None:
    base = calculate(order)
    worse_values = {}
    for key in ("ast", "alt", "bilirubin"):
        value, unit = getattr(order, key).split(" ", 1)
        worse_values[key] = f"{Decimal(value) * factor:f} {unit}"
    worse = calculate(_with(order, **worse_values))
    if worse.status is Status.INVALID_INPUT:
        return  # pushed past a hard range: nothing to compare
    if worse.dose_level_mg_per_m2 is not None:
        assert base.dose_level_mg_per_m2 is not None
        assert worse.dose_level_mg_per_m2 <= base.dose_level_mg_per_m2


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {spec.key: st.one_of(st.none(), st.text(max_size=30)) for spec in QUANTITY_FIELDS}
        | {
            "regimen": st.one_of(st.none(), st.text(max_size=15)),
            "bsa_formula": st.text(max_size=15),
        }
    ),
    st.booleans(),
)
def test_no_input_string_raises(fields: dict[str, str | None], acknowledge: bool) -> None:
    result = calculate(Order(**fields, acknowledge_warnings=acknowledge))
    if result.status is Status.INVALID_INPUT:
        assert result.errors and result.dose_mg is None
        assert all(e.field and e.message for e in result.errors)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,-+ eE'\"ftinmcgkbluUL/µμ ", max_size=20))
def test_unit_like_garbage_is_an_error_or_a_value(text: str) -> None:
    result = calculate(
        Order(
            height=text,
            weight="70 kg",
            regimen="monotherapy",
            ast="30",
            ast_uln="40",
            alt="25",
            alt_uln="40",
            bilirubin="0.8",
            bilirubin_uln="1.2",
            anc="1800",
            platelets="150000",
        )
    )
    assert result.status in (Status.OK, Status.INVALID_INPUT)
