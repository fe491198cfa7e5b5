"""Whatever is typed, the window shows the core's dose or "—", never anything else (issue 4:
"no invalid input ever shows a dose").

Hypothesis types mixtures of good values, bare numbers, wrong or refused units, garbage, empty
fields and unusual values into the eight measured fields (through their object names) and
compares the window with the core given the same text and the same unit selectors.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from ixempra_gui import app
from ixempra_gui.core.calculator import calculate
from ixempra_gui.core.formatting import format_quantity
from ixempra_gui.core.models import Order, Status

DASH = "—"
#: field key → (object name, plausible ranges per accepted unit; "" is a bare number read in
#: the unit selector's default)
FIELDS = {
    "height": ("heightInput", {"cm": (145, 200), "m": (1.45, 2.0), "in": (57, 79), "": (145, 200)}),
    "weight": ("weightInput", {"kg": (40, 130), "lb": (90, 280), "": (40, 130)}),
    "ast": ("astInput", {"U/L": (10, 300), "": (10, 300)}),
    "ast_uln": ("astUlnInput", {"U/L": (30, 45), "": (30, 45)}),
    "alt": ("altInput", {"U/L": (10, 300), "": (10, 300)}),
    "alt_uln": ("altUlnInput", {"U/L": (30, 45), "": (30, 45)}),
    "bilirubin": ("bilirubinInput", {"mg/dL": (0.2, 6), "umol/L": (4, 100), "": (0.2, 6)}),
    "bilirubin_uln": ("bilirubinUlnInput", {"mg/dL": (1, 1.3), "": (1, 1.3)}),
}
#: Spellings and texts the fields must refuse (pint would read some of them).
BAD = ("u", "mcg", "kilogram", "mm", "70,5", "inf", "-3", "0", "forty", "1e3", "<b>x</b>")


def plausible(key: str) -> st.SearchStrategy[str]:
    def in_unit(unit: str) -> st.SearchStrategy[str]:
        low, high = FIELDS[key][1][unit]
        number = st.decimals(min_value=str(low), max_value=str(high), places=2)
        return number.map(lambda n: f"{n} {unit}".strip())

    return st.sampled_from(sorted(FIELDS[key][1])).flatmap(in_unit)


def wrong(key: str) -> st.SearchStrategy[str]:
    units = sorted(FIELDS[key][1])
    anything = st.decimals(min_value=0, max_value=2000, places=2).map(str)
    return st.one_of(
        st.tuples(anything, st.sampled_from(units)).map(lambda p: f"{p[0]} {p[1]}".strip()),
        st.tuples(anything, st.sampled_from(BAD)).map(lambda p: f"{p[0]} {p[1]}"),
        st.sampled_from(BAD),
        st.just(""),
        st.text(max_size=8),
    )


@st.composite
def orders(draw: st.DrawFn) -> dict[str, str]:
    """A plausible order with none, one or a few fields typed wrong or out of range."""
    texts = {key: draw(plausible(key)) for key in FIELDS}
    some = st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3, unique=True)
    for key in draw(st.one_of(st.just([]), some)):
        texts[key] = draw(wrong(key))
    return texts


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    texts=orders(),
    regimen=st.sampled_from(("monotherapy", "capecitabine")),
)
def test_the_window_shows_the_cores_dose_or_a_dash(qtbot, texts, regimen) -> None:
    window = app.create_main_window()
    qtbot.addWidget(window)
    for key, text in texts.items():
        edit = window.findChild(QLineEdit, FIELDS[key][0])
        edit.setText(text)
    combo = window.findChild(QComboBox, "regimenCombo")
    combo.setCurrentIndex(combo.findData(regimen))

    units = tuple(
        (key, window.findChild(QComboBox, f"{FIELDS[key][0][:-5]}UnitCombo").currentData())
        for key in ("height", "weight", "ast", "alt", "bilirubin")
    )
    result = calculate(Order(**texts, regimen=regimen, default_units=units))
    shown = window.findChild(QLabel, "doseValue").text()
    vials = window.findChild(QLabel, "vialsValue").text()
    billing = window.findChild(QLabel, "billingValue").text()
    blocking = sorted({i.code for i in result.issues if i.blocks})
    event("ready" if result.ready_to_prepare else f"no dose: {result.status.value} {blocking}")
    if result.status is Status.OK and result.ready_to_prepare:
        assert result.dose_mg is not None
        assert shown == format_quantity(result.dose_mg, "mg")
        assert window.findChild(QLabel, "statusBanner").text() == "READY TO PREPARE"
        assert vials != DASH and billing != DASH
    else:
        assert shown == DASH, (texts, result.status)
        assert vials == DASH and billing == DASH
        assert not window.print_action.isEnabled()
    window.close()
