"""Every field of an ``Order``, declared once: what it is, its CLI flag, and what it can change.

The double check re-enters every field that can change the level, the dose or whether the dose
is ready, unless it is a site setting (the same for both pharmacists) or belongs to one entry
(its acknowledgements, its confirmation, its unit selectors). Nothing else decides what is
re-entered: a field added here that changes the dose is re-entered by construction, and a test
fails when an ``Order`` field is missing here (issue 12, point 7). The presentation layer adds
labels and places on top of this table; it never repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from ixempra_gui.core.models import Order


class Kind(StrEnum):
    MEASUREMENT = "measurement"  # a number with a unit, parsed per field
    CHOICE = "choice"  # one of a fixed list
    CHOICES = "choices"  # any of a fixed list (repeatable)
    FLAG = "flag"  # ticked or not
    WHOLE_NUMBER = "whole_number"
    TEXT = "text"  # free text, recorded
    DATETIME = "datetime"
    SETTING = "setting"  # a site setting's value


class Effect(StrEnum):
    """What a field can change."""

    LEVEL = "level"
    DOSE = "dose"
    READINESS = "readiness"  # whether the dose is ready (a stop, a hold, a contraindication)


class Owner(StrEnum):
    """Who gives a field's value."""

    ORDER = "order"  # typed from the order and the source documents: re-entered if it matters
    SITE = "site"  # a site setting: the same for both pharmacists, never re-entered
    ENTRY = "entry"  # each entry's own act (an acknowledgement, a confirmation, a unit selector)


@dataclass(frozen=True)
class OrderField:
    key: str  # the Order attribute
    kind: Kind
    cli_flag: str | None  # None: not a command-line option (set by the app)
    effects: frozenset[Effect]
    owner: Owner = Owner.ORDER

    @property
    def changes_dose(self) -> bool:
        """Can change the level, the dose or whether it is ready."""
        return bool(self.effects)

    @property
    def reentered(self) -> bool:
        """Re-entered blind by the second pharmacist in the double check."""
        return self.owner is Owner.ORDER and self.changes_dose


_L, _D, _R = Effect.LEVEL, Effect.DOSE, Effect.READINESS


def _f(
    key: str,
    kind: Kind,
    *effects: Effect,
    flag: str | None = "",
    owner: Owner = Owner.ORDER,
) -> OrderField:
    cli = "--" + key.replace("_", "-") if flag == "" else flag
    return OrderField(key, kind, cli, frozenset(effects), owner)


#: In the order of the form.
ORDER_FIELDS: tuple[OrderField, ...] = (
    _f("height", Kind.MEASUREMENT, _D, _R),
    _f("weight", Kind.MEASUREMENT, _D, _R),
    _f("bsa_formula", Kind.CHOICE, _D),
    _f("regimen", Kind.CHOICE, _L, _R),
    _f("strong_cyp3a4_inhibitor", Kind.FLAG, _L),
    _f("strong_cyp3a4_inducer", Kind.FLAG, _L, _R),
    _f("cremophor_hypersensitivity", Kind.FLAG, _R),
    _f("ast", Kind.MEASUREMENT, _L, _R),
    _f("ast_uln", Kind.MEASUREMENT, _L, _R),
    _f("alt", Kind.MEASUREMENT, _L, _R),
    _f("alt_uln", Kind.MEASUREMENT, _L, _R),
    _f("bilirubin", Kind.MEASUREMENT, _L, _R),
    _f("bilirubin_uln", Kind.MEASUREMENT, _L, _R),
    _f("gilbert_syndrome", Kind.FLAG, _L, _R),
    _f("anc", Kind.MEASUREMENT, _R),
    _f("platelets", Kind.MEASUREMENT, _R),
    _f("current_nonheme_toxicity_grade", Kind.WHOLE_NUMBER, _R, flag="--nonheme-toxicity-grade"),
    _f("worst_events", Kind.CHOICES, _L, _R, flag="--worst-event"),
    _f("toxicity_reductions", Kind.WHOLE_NUMBER, _L),
    _f("reduction_mode", Kind.CHOICE, _L),
    _f("reduction_reason", Kind.TEXT),
    _f("hepatic_escalation_level", Kind.MEASUREMENT, _L, _R),
    _f("dose_level", Kind.MEASUREMENT, _L, _R),
    _f("diluent", Kind.CHOICE, _R),
    _f("prior_hypersensitivity", Kind.FLAG),
    _f("prepared_at", Kind.DATETIME),
    # each entry's own acts
    _f("confirm_reduction", Kind.FLAG, _L, _R, owner=Owner.ENTRY),
    _f("acknowledge_warnings", Kind.FLAG, _R, owner=Owner.ENTRY),
    _f("acknowledged", Kind.CHOICES, _R, flag="--acknowledge", owner=Owner.ENTRY),
    _f("default_units", Kind.SETTING, _D, _L, flag=None, owner=Owner.ENTRY),
    # site settings
    _f("round_to_vial_within", Kind.SETTING, _D, owner=Owner.SITE),
    _f("bag_sizes", Kind.SETTING, _R, owner=Owner.SITE),
    _f("low_ast_alt_u_per_l", Kind.SETTING, _R, flag=None, owner=Owner.SITE),
    _f("low_bilirubin_mg_per_dl", Kind.SETTING, _R, flag=None, owner=Owner.SITE),
)
BY_KEY: dict[str, OrderField] = {f.key: f for f in ORDER_FIELDS}
#: What the second pharmacist re-enters, in form order.
REENTERED: tuple[str, ...] = tuple(f.key for f in ORDER_FIELDS if f.reentered)
#: Site settings: shown in the comparison as "site setting, not re-entered".
SITE_SETTINGS: tuple[str, ...] = tuple(f.key for f in ORDER_FIELDS if f.owner is Owner.SITE)


def undeclared() -> tuple[str, ...]:
    """Order attributes this table does not declare (a test keeps it empty)."""
    return tuple(f.name for f in fields(Order) if f.name not in BY_KEY)
