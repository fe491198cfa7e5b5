"""Every field of an ``Order``, declared once: what it is, its CLI flag, and what it can change.

The double check re-enters every field that can change the level, the dose or whether the dose
is ready, unless it is a site setting (the same for both pharmacists) or belongs to one entry
(its acknowledgements, its confirmation, its unit selectors). Nothing else decides what is
re-entered: a field added here that changes the dose is re-entered by construction, and a test
fails when an ``Order`` field is missing here (issue 12, point 7). The presentation layer adds
labels and places on top of this table; it never repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ixempra_gui.core import choices
from ixempra_gui.core.choices import BsaFormula, Diluent, ReductionMode, Regimen


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


class Section(StrEnum):
    """Where a field belongs: the form's group and the command line's option group."""

    BODY = "body"
    REGIMEN = "regimen"
    LIVER = "liver"
    CYCLE = "cycle"  # start of cycle and dose level
    PREPARATION = "preparation"
    CHECKS = "checks"  # the acknowledgements


@dataclass(frozen=True)
class OrderField:
    key: str  # the Order attribute
    kind: Kind
    cli_flag: str | None  # None: not a command-line option (set by the app)
    effects: frozenset[Effect]
    owner: Owner = Owner.ORDER
    section: Section = Section.BODY
    cli_help: str = ""  # what ``ixempra-calc --help`` says of it (every option has one)
    cli_metavar: str | None = None  # None: VALUE (a flag has none)
    #: (value, name) a CHOICE / CHOICES / WHOLE_NUMBER field accepts, in order (names: choices.py)
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def changes_dose(self) -> bool:
        """Can change the level, the dose or whether it is ready."""
        return bool(self.effects)

    @property
    def reentered(self) -> bool:
        """Re-entered blind by the second pharmacist in the double check."""
        return self.owner is Owner.ORDER and self.changes_dose


_L, _D, _R = Effect.LEVEL, Effect.DOSE, Effect.READINESS
_BODY, _REG, _LIVER, _CYCLE, _PREP, _CHECKS = tuple(Section)


def _f(
    key: str,
    kind: Kind,
    *effects: Effect,
    section: Section,
    help: str = "",
    metavar: str | None = None,
    values: tuple[tuple[str, str], ...] = (),
    flag: str | None = "",
    owner: Owner = Owner.ORDER,
) -> OrderField:
    cli = "--" + key.replace("_", "-") if flag == "" else flag
    if metavar is None and values and kind is Kind.CHOICE:
        metavar = "|".join(value for value, _ in values)
    return OrderField(key, kind, cli, frozenset(effects), owner, section, help, metavar, values)


def _m(
    key: str, *effects: Effect, section: Section, help: str, metavar: str = "VALUE"
) -> OrderField:
    return _f(key, Kind.MEASUREMENT, *effects, section=section, help=help, metavar=metavar)


def _values(
    enum: type[choices.Regimen | choices.BsaFormula | choices.ReductionMode | choices.Diluent],
) -> tuple[tuple[str, str], ...]:
    return tuple((member.value, member.label) for member in enum)


_TABLE_1 = tuple((row.code, row.choice_text) for row in choices.TABLE_1)
_GRADES = tuple((str(g), str(g)) for g in choices.GRADES)
_COUNTS = tuple((str(n), str(n) if n else "none") for n in choices.REDUCTION_COUNTS)

#: In the order of the form.
ORDER_FIELDS: tuple[OrderField, ...] = (
    _m(
        "height",
        _D,
        _R,
        section=_BODY,
        help="height, e.g. '170 cm', '5 ft 7 in', 5'7\" (bare number: cm)",
    ),
    _m("weight", _D, _R, section=_BODY, help="weight, e.g. '70 kg', '154 lb' (bare number: kg)"),
    _f(
        "bsa_formula",
        Kind.CHOICE,
        _D,
        section=_BODY,
        values=_values(BsaFormula),
        help="BSA formula (default mosteller)",
    ),
    _f(
        "regimen",
        Kind.CHOICE,
        _L,
        _R,
        section=_REG,
        values=_values(Regimen),
        help="Ixempra alone or with capecitabine",
    ),
    _f(
        "strong_cyp3a4_inhibitor",
        Kind.FLAG,
        _L,
        section=_REG,
        help="the patient takes a strong CYP3A4 inhibitor, or stopped one less than a week "
        "ago (level 20 mg/m²)",
    ),
    _f(
        "strong_cyp3a4_inducer",
        Kind.FLAG,
        _L,
        _R,
        section=_REG,
        help="strong CYP3A4 inducer (prescribed level up to 60 mg/m², over 4 h)",
    ),
    _f(
        "cremophor_hypersensitivity",
        Kind.FLAG,
        _R,
        section=_REG,
        help="severe (grade 3/4) hypersensitivity to a Cremophor EL (polyoxyl 35 castor oil) "
        "product such as paclitaxel: contraindicated",
    ),
    _m("ast", _L, _R, section=_LIVER, help="AST, e.g. '30 U/L', '0.5 ukat/L' (bare number: U/L)"),
    _m("ast_uln", _L, _R, section=_LIVER, help="AST upper limit of normal"),
    _m("alt", _L, _R, section=_LIVER, help="ALT, e.g. '25 U/L' (bare number: U/L)"),
    _m("alt_uln", _L, _R, section=_LIVER, help="ALT upper limit of normal"),
    _m(
        "bilirubin",
        _L,
        _R,
        section=_LIVER,
        help="total bilirubin, e.g. '0.8 mg/dL', '14 umol/L' (bare number: mg/dL)",
    ),
    _m("bilirubin_uln", _L, _R, section=_LIVER, help="total bilirubin upper limit of normal"),
    _f(
        "gilbert_syndrome",
        Kind.FLAG,
        _L,
        _R,
        section=_LIVER,
        help="bilirubin is raised by Gilbert's syndrome (monotherapy table only)",
    ),
    _m(
        "anc",
        _R,
        section=_CYCLE,
        help="ANC, e.g. '1800 /mm3', '1.8 10^9/L' (required before every cycle, the first "
        "included)",
    ),
    _m(
        "platelets",
        _R,
        section=_CYCLE,
        help="platelets, e.g. '150000 /mm3', '150 10^9/L' (required before every cycle)",
    ),
    _f(
        "current_nonheme_toxicity_grade",
        Kind.WHOLE_NUMBER,
        _R,
        section=_CYCLE,
        flag="--nonheme-toxicity-grade",
        metavar=f"0..{max(choices.GRADES)}",
        values=_GRADES,
        help="the CURRENT non-hematologic toxicity grade (the start-of-cycle gate: above 1 is "
        "a hold); the worst event since the last cycle is --worst-event",
    ),
    _f(
        "worst_events",
        Kind.CHOICES,
        _L,
        _R,
        section=_CYCLE,
        flag="--worst-event",
        metavar="ROW",
        values=_TABLE_1,
        help="the worst event since the last cycle, a row of label Table 1 (repeatable; the "
        "strongest action wins, one step per cycle; the ROW codes are listed below)",
    ),
    _f(
        "toxicity_reductions",
        Kind.WHOLE_NUMBER,
        _L,
        section=_CYCLE,
        metavar="N",
        values=_COUNTS,
        help=f"prior 20% reductions for toxicity (0..{choices.MAX_TOXICITY_REDUCTIONS})",
    ),
    _f(
        "reduction_mode",
        Kind.CHOICE,
        _L,
        section=_CYCLE,
        values=_values(ReductionMode),
        help="relative: 20% of the current level each time (default); "
        "absolute: 20% of the level before reductions",
    ),
    _f(
        "reduction_reason",
        Kind.TEXT,
        section=_CYCLE,
        metavar="TEXT",
        help="why the dose was reduced (required with reductions; recorded)",
    ),
    _m(
        "hepatic_escalation_level",
        _L,
        _R,
        section=_CYCLE,
        metavar="LEVEL",
        help="later-cycle escalation from the moderate-impairment 20 mg/m², 20..30 mg/m2",
    ),
    _m(
        "dose_level",
        _L,
        _R,
        section=_CYCLE,
        metavar="LEVEL",
        help="prescribed level, e.g. '32 mg/m2', checked against the rules",
    ),
    _f(
        "diluent",
        Kind.CHOICE,
        _R,
        section=_PREP,
        values=_values(Diluent),
        help="infusion fluid (default lactated-ringers)",
    ),
    _f(
        "prior_hypersensitivity",
        Kind.FLAG,
        section=_PREP,
        help="prior hypersensitivity reaction (adds a corticosteroid)",
    ),
    _f(
        "prepared_at",
        Kind.DATETIME,
        section=_PREP,
        metavar="ISO-8601",
        help="when the dose is prepared (default now); sets the use-by times",
    ),
    # each entry's own acts
    _f(
        "confirm_reduction",
        Kind.FLAG,
        _L,
        _R,
        section=_CYCLE,
        owner=Owner.ENTRY,
        help="confirm the 20% decrease the worst events propose (required to go on)",
    ),
    _f(
        "acknowledge_warnings",
        Kind.FLAG,
        _R,
        section=_CHECKS,
        owner=Owner.ENTRY,
        help="accept every warning listed after checking them (their codes are printed on stderr)",
    ),
    _f(
        "acknowledged",
        Kind.CHOICES,
        _R,
        section=_CHECKS,
        flag="--acknowledge",
        metavar="CODE",
        owner=Owner.ENTRY,
        help="accept one warning after checking it, by the code the warning gives "
        "(e.g. height.unusual_value); repeatable",
    ),
    _f("default_units", Kind.SETTING, _D, _L, section=_BODY, flag=None, owner=Owner.ENTRY),
    # site settings
    _f(
        "round_to_vial_within",
        Kind.SETTING,
        _D,
        section=_CYCLE,
        owner=Owner.SITE,
        metavar="PCT",
        help="round the dose to a vial boundary within PCT % (off by default)",
    ),
    _f(
        "bag_sizes",
        Kind.SETTING,
        _R,
        section=_PREP,
        owner=Owner.SITE,
        metavar="LIST",
        help="stocked bag sizes in mL, in order of preference (default 250,100,500)",
    ),
    _f("low_ast_alt_u_per_l", Kind.SETTING, _R, section=_LIVER, flag=None, owner=Owner.SITE),
    _f("low_bilirubin_mg_per_dl", Kind.SETTING, _R, section=_LIVER, flag=None, owner=Owner.SITE),
)
BY_KEY: dict[str, OrderField] = {f.key: f for f in ORDER_FIELDS}
#: What the second pharmacist re-enters, in form order.
REENTERED: tuple[str, ...] = tuple(f.key for f in ORDER_FIELDS if f.reentered)
#: Site settings: shown in the comparison as "site setting, not re-entered".
SITE_SETTINGS: tuple[str, ...] = tuple(f.key for f in ORDER_FIELDS if f.owner is Owner.SITE)
#: The command-line options of the order, in form order.
CLI_FIELDS: tuple[OrderField, ...] = tuple(f for f in ORDER_FIELDS if f.cli_flag)


def undeclared() -> tuple[str, ...]:
    """Order attributes this table does not declare (a test keeps it empty)."""
    # only for this check: the field table loads before the models (and pint) are needed
    from dataclasses import fields

    from ixempra_gui.core.models import Order  # pint: only for this check

    return tuple(f.name for f in fields(Order) if f.name not in BY_KEY)
