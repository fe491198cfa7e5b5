"""The field registry against the surfaces without widgets: every entry appears on each surface
it declares (command line, worksheet, journal record), and no such surface shows a field
outside the registry. The form and the double check: tests/gui/test_field_surfaces.py."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date, datetime

from conftest import REPO

from ixempra_gui.cli.calc import build_parser
from ixempra_gui.core import order_fields
from ixempra_gui.core.models import Order
from ixempra_gui.journal.entries import order_inputs
from ixempra_gui.presentation.fields import FIELDS, Place, Widget, field, on
from ixempra_gui.presentation.input_rows import input_rows
from ixempra_gui.presentation.order_view import FormInput, build_order, present
from ixempra_gui.presentation.preferences import Preferences
from ixempra_gui.presentation.worksheet import worksheet_html

TODAY = date(2025, 5, 1)
FORM = FormInput(
    patient_id="MRN-1",
    administered_on="2025-05-01",
    height="170 cm",
    weight="154 lb",
    regimen="monotherapy",
    ast="30 U/L",
    ast_uln="40 U/L",
    alt="25 U/L",
    alt_uln="40 U/L",
    bilirubin="0.8 mg/dL",
    bilirubin_uln="1.2 mg/dL",
    anc="1800",
    platelets="150000",
    height_measured_on="2025-04-30",
    weight_measured_on="2025-04-30",
    labs_drawn_on="2025-04-30",
)


def keys(place: Place) -> set[str]:
    return {spec.key for spec in on(place)}


def test_every_order_field_is_in_the_registry_once_and_extends_the_cores() -> None:
    registered = [spec.key for spec in FIELDS]
    assert len(registered) == len(set(registered))
    assert {f.key for f in order_fields.ORDER_FIELDS} <= set(registered)
    for spec in FIELDS:  # the core's declaration is joined, never repeated
        assert spec.core is order_fields.BY_KEY.get(spec.key)


def test_reentered_follows_changes_the_dose_never_a_flag() -> None:
    for spec in FIELDS:
        own_act = spec.core is not None and spec.core.owner is order_fields.Owner.ENTRY
        in_dialog = Place.VERIFY in spec.places
        if own_act and spec.widget is not None:
            assert in_dialog, spec.key  # each entry confirms and acknowledges for itself
        else:
            expected = spec.core is not None and spec.core.reentered
            assert in_dialog is expected, spec.key
            if spec.core is not None:
                orders = spec.core.owner is order_fields.Owner.ORDER
                assert expected is (orders and spec.core.changes_dose), spec.key


def test_the_command_line_offers_exactly_the_registrys_options() -> None:
    parser = build_parser()
    order_keys = {f.name for f in dataclasses.fields(Order)}
    by_dest = {a.dest: a for a in parser._actions if a.dest in order_keys}
    assert set(by_dest) == keys(Place.CLI)  # no order option outside the registry, none lost
    for spec in on(Place.CLI):
        assert spec.core is not None and spec.core.cli_flag in by_dest[spec.key].option_strings
        assert by_dest[spec.key].help, spec.key  # its help comes from the field table too


def test_the_journal_records_exactly_the_registrys_inputs() -> None:
    order = build_order(FORM, Preferences(), datetime(2025, 5, 1, 9, 30))
    assert set(order_inputs(order)) == keys(Place.JOURNAL)


def test_the_worksheet_prints_exactly_the_registrys_rows() -> None:
    view = present(FORM, Preferences(), TODAY, datetime(2025, 5, 1, 9, 30))
    rows = input_rows(FORM, view.echo, view.result)
    shown = {key for row in rows for key in row.keys}
    assert shown == keys(Place.WORKSHEET)
    html = worksheet_html(FORM, view, datetime(2025, 5, 1, 9, 35), "P", "2025-01-01")
    for row in rows:
        assert f"<b>{row.label}</b>" in html.replace("&#x27;", "'"), row.key
    # a measured value is the core's echo in both unit systems, by key (no string read back)
    weight = next(row for row in rows if row.key == "weight")
    assert weight.value == "154 lb (69.85 kg), measured 2025-04-30"


def test_the_form_input_holds_the_forms_fields_and_their_unit_selectors() -> None:
    form_keys = {f.name for f in dataclasses.fields(FormInput)}
    units = {f"{spec.key}_unit" for spec in FIELDS if spec.has_own_unit_selector}
    assert form_keys == keys(Place.FORM) | units


def test_every_form_field_has_words_and_choices_where_it_needs_them() -> None:
    for spec in on(Place.FORM):
        assert spec.label and spec.text and spec.description, spec.key
        if spec.widget in (Widget.COMBO, Widget.TICKS):
            assert spec.choices, spec.key
        if spec.reentered and spec.widget is Widget.LINE:
            assert spec.blind_example, spec.key  # the double check never shows a number
            words = spec.blind_example
            for unit in ("/mm3", "10^9", "mg/m2"):  # units, not values
                words = words.replace(unit, "")
            assert not any(c.isdigit() for c in words), spec.key
    assert field("ast_uln").unit_selector == "ast"  # a ULN is read with its lab's unit


def test_the_registry_loads_without_the_core_rules_or_pint() -> None:
    """The window is built from the registry before pint is imported (bench/startup.py)."""
    code = (
        "import sys, ixempra_gui.presentation.fields; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pint', 'PySide6', 'decimal')"
        " or m.startswith('ixempra_gui.core.')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['ixempra_gui.core.choices', 'ixempra_gui.core.order_fields']"
