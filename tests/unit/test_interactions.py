"""A strong CYP3A4 inhibitor and a strong inducer ticked together (clinical audit D3): never a
silent READY — a warning on the inducer to acknowledge; once acknowledged, the inhibitor's
20 mg/m² applies (clinical-rules §3, "or stays lower")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import order_kwargs

from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.models import Order, Status

V01 = order_kwargs()


def test_both_ticked_is_not_ready_until_acknowledged() -> None:
    both = calculate(Order(**V01, strong_cyp3a4_inhibitor=True, strong_cyp3a4_inducer=True))
    assert (
        both.status is Status.INVALID_INPUT and not both.ready_to_prepare and both.dose_mg is None
    )
    [issue] = [i for i in both.issues if i.code == "with_inhibitor"]
    assert issue.field == "strong_cyp3a4_inducer" and issue.blocks
    assert "ticked together with a strong CYP3A4 inhibitor" in issue.message
    assert (
        "IXEMPRA PI" in issue.message and "product rule (docs/product-rules.md §3)" in issue.message
    )

    seen = calculate(
        Order(
            **V01,
            strong_cyp3a4_inhibitor=True,
            strong_cyp3a4_inducer=True,
            acknowledged=("strong_cyp3a4_inducer.with_inhibitor",),
        )
    )
    assert seen.status is Status.OK and seen.ready_to_prepare
    assert seen.dose_level_mg_per_m2 == Decimal(20) and seen.dose_mg == Decimal("36.4")


@pytest.mark.parametrize(
    "ticked", [{}, {"strong_cyp3a4_inhibitor": True}, {"strong_cyp3a4_inducer": True}]
)
def test_one_alone_asks_nothing(ticked: dict[str, bool]) -> None:
    result = calculate(Order(**V01, **ticked))
    assert result.ready_to_prepare
    assert not any(i.code == "with_inhibitor" for i in result.issues)


def test_a_prescribed_inducer_level_is_still_refused_with_the_inhibitor() -> None:
    result = calculate(
        Order(
            **V01,
            strong_cyp3a4_inhibitor=True,
            strong_cyp3a4_inducer=True,
            dose_level="60",
            acknowledge_warnings=True,
        )
    )
    assert not result.ready_to_prepare
