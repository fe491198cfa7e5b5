"""Qt-free: the form as typed → the core's ``Order``; the dates' checks; what each field accepts.

The core still receives the text as entered (the double check compares what was typed); this
module only chooses, per field, the unit a bare number is read in (the selector beside it) and
adds the site's settings from the preferences.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ixempra_gui.core.errors import FieldError
from ixempra_gui.core.models import FieldIssue, Order
from ixempra_gui.core.order_fields import Owner
from ixempra_gui.core.staleness import DatedField, check_dates
from ixempra_gui.core.units import QUANTITY_FIELDS, parse_measurement
from ixempra_gui.presentation.fields import FIELDS, Place
from ixempra_gui.presentation.order_state import FormInput
from ixempra_gui.presentation.preferences import Preferences


def field_hints() -> dict[str, str]:
    """What each measured field accepts (the core's own words), for tooltips and screen readers."""
    return {spec.key: f"Accepted: {spec.accepted}." for spec in QUANTITY_FIELDS}


def uln_problem(key: str, text: str) -> str | None:
    """Why a default ULN (Preferences dialog) is unusable, in the core's words; None if fine."""
    spec = next(s for s in QUANTITY_FIELDS if s.key == key)
    try:
        parse_measurement(spec, text)
    except FieldError as err:
        return err.message
    return None


# --- the order --------------------------------------------------------------------------------


def _default_units(form: FormInput) -> tuple[tuple[str, str], ...]:
    """The unit each bare number is read in: the selector beside the field (a lab's selector
    also applies to its ULN). Only spellings the core accepts for that field are passed."""
    specs = {spec.key: spec for spec in QUANTITY_FIELDS}
    wanted = (
        (spec.key, str(getattr(form, f"{spec.unit_selector}_unit")))
        for spec in FIELDS
        if spec.unit_selector is not None
    )
    return tuple(
        (key, unit)
        for key, unit in wanted
        if key in specs and unit.replace(" ", "").lower() in specs[key].spellings
    )


#: The Order fields the form gives, as typed (the rest: site settings, the time, the units).
_TYPED = tuple(
    spec.key
    for spec in FIELDS
    if spec.core is not None and spec.core.owner is not Owner.SITE and Place.FORM in spec.places
)


def build_order(form: FormInput, prefs: Preferences, now: datetime | None = None) -> Order:
    """The core's one input, from the form as typed (an empty "prepared at" means ``now``)
    and the site's preferences."""
    given: dict[str, Any] = {key: getattr(form, key) for key in _TYPED}
    prepared_at = form.prepared_at.strip()
    if not prepared_at and now is not None:
        prepared_at = now.isoformat(timespec="minutes")
    given["prepared_at"] = prepared_at or None
    rounding = prefs.rounding_pct
    return Order(
        **given,
        round_to_vial_within=None if rounding is None else f"{rounding.normalize():f}",
        bag_sizes=",".join(str(size) for size in prefs.bag_sizes_ml),
        low_ast_alt_u_per_l=f"{prefs.low_ast_alt_u_per_l.normalize():f}",
        low_bilirubin_mg_per_dl=f"{prefs.low_bilirubin_mg_per_dl.normalize():f}",
        default_units=_default_units(form),
    )


def date_issues(form: FormInput, prefs: Preferences, today: date) -> tuple[FieldIssue, ...]:
    """Missing, future or too-old measurement dates (core/staleness.py)."""
    dated = (
        DatedField("height_measured_on", "Height measured on", prefs.body_max_age_days),
        DatedField("weight_measured_on", "Weight measured on", prefs.body_max_age_days),
        DatedField("labs_drawn_on", "Labs drawn on", prefs.labs_max_age_days),
    )
    dates = {
        "height_measured_on": form.height_measured_on,
        "weight_measured_on": form.weight_measured_on,
        "labs_drawn_on": form.labs_drawn_on,
    }
    return check_dates(dated, dates, today, form.acknowledge_warnings)
