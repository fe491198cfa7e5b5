"""The fixed lists an order chooses from, each declared once with its names.

Light on purpose (stdlib enum and dataclasses, no pint, no decimal): the window builds its
selectors from these before the rest of the core is imported (bench/startup.py), and the core
(models, bsa, preparation, toxicity, validation) uses the same members. Nothing else keeps a
copy of these values or names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Regimen(StrEnum):
    MONOTHERAPY = "monotherapy"
    CAPECITABINE = "capecitabine"

    @property
    def label(self) -> str:
        """As the selector and every document show it."""
        return {Regimen.MONOTHERAPY: "Monotherapy", Regimen.CAPECITABINE: "With capecitabine"}[self]


class BsaFormula(StrEnum):
    MOSTELLER = "mosteller"  # the default: first
    DUBOIS = "dubois"
    HAYCOCK = "haycock"
    GEHAN_GEORGE = "gehan-george"
    BOYD = "boyd"

    @property
    def label(self) -> str:
        return _FORMULA_NAMES[self]


_FORMULA_NAMES = {
    BsaFormula.MOSTELLER: "Mosteller",
    BsaFormula.DUBOIS: "DuBois & DuBois",
    BsaFormula.HAYCOCK: "Haycock",
    BsaFormula.GEHAN_GEORGE: "Gehan & George",
    BsaFormula.BOYD: "Boyd",
}


class ReductionMode(StrEnum):
    RELATIVE = "relative"  # 20 % of the current level each time: 40 → 32 → 25.6
    ABSOLUTE = "absolute"  # 20 % of the level before reductions each time: 40 → 32 → 24

    @property
    def label(self) -> str:
        """What each 20 % reduction is taken of ("Each reduction is 20% of …")."""
        return {
            ReductionMode.RELATIVE: "the current level",
            ReductionMode.ABSOLUTE: "the starting level",
        }[self]


class Diluent(StrEnum):
    LACTATED_RINGERS = "lactated-ringers"
    SODIUM_CHLORIDE = "sodium-chloride"

    @property
    def label(self) -> str:
        """The short name of the selector."""
        return {
            Diluent.LACTATED_RINGERS: "Lactated Ringer's",
            Diluent.SODIUM_CHLORIDE: "Sodium chloride 0.9%",
        }[self]

    @property
    def product(self) -> str:
        """The product's name, as the preparation steps write it."""
        return {
            Diluent.LACTATED_RINGERS: "Lactated Ringer's Injection",
            Diluent.SODIUM_CHLORIDE: "0.9% Sodium Chloride Injection (pH-adjusted)",
        }[self]


#: CTCAE grades of the current non-hematologic toxicity (the start-of-cycle gate reads it).
GRADES: tuple[int, ...] = (0, 1, 2, 3, 4)
#: At most three 20 % reductions for toxicity (label Table 1; core/label.py cites it).
MAX_TOXICITY_REDUCTIONS = 3
REDUCTION_COUNTS: tuple[int, ...] = tuple(range(MAX_TOXICITY_REDUCTIONS + 1))


class Action(IntEnum):
    """What a row of label Table 1 asks for; a larger value is a stronger action."""

    NO_CHANGE = 0
    DECREASE_20 = 1
    DISCONTINUE = 2

    @property
    def words(self) -> str:
        return {
            Action.NO_CHANGE: "no change in dose",
            Action.DECREASE_20: "decrease the dose by 20 %",
            Action.DISCONTINUE: "discontinue IXEMPRA",
        }[self]

    @property
    def short(self) -> str:
        """The action in a few characters, after a row's short name."""
        return {
            Action.NO_CHANGE: "no change",
            Action.DECREASE_20: "−20%",
            Action.DISCONTINUE: "discontinue",
        }[self]


@dataclass(frozen=True)
class ToxicityRow:
    """One row of label Table 1: the code typed (``--worst-event``), the label's words, a short
    name for a list of ticks, whether it is hematologic, and its action."""

    code: str
    description: str
    short: str
    hematologic: bool
    action: Action

    @property
    def choice_text(self) -> str:
        """How a tick shows it: the short name and the action, e.g. "Febrile neutropenia (−20%)"."""
        return f"{self.short} ({self.action.short})"


def _row(code: str, description: str, short: str, hematologic: bool, action: Action) -> ToxicityRow:
    return ToxicityRow(code, description, short, hematologic, action)


_D, _X, _N = Action.DECREASE_20, Action.DISCONTINUE, Action.NO_CHANGE

#: IXEMPRA PI, Dosage and Administration, Dose Modification, Table 1 (every row, in its order).
TABLE_1: tuple[ToxicityRow, ...] = (
    _row(
        "neuropathy-g2-7d",
        "Grade 2 neuropathy (moderate) lasting ≥ 7 days",
        "Grade 2 neuropathy ≥ 7 days",
        False,
        _D,
    ),
    _row(
        "neuropathy-g3-under-7d",
        "Grade 3 neuropathy (severe) lasting < 7 days",
        "Grade 3 neuropathy < 7 days",
        False,
        _D,
    ),
    _row(
        "neuropathy-g3-7d-or-disabling",
        "Grade 3 neuropathy (severe) or disabling neuropathy lasting ≥ 7 days",
        "Grade 3 neuropathy ≥ 7 days or disabling",
        False,
        _X,
    ),
    _row(
        "other-g3",
        "Any grade 3 toxicity (severe) other than neuropathy",
        "Any other grade 3 toxicity",
        False,
        _D,
    ),
    _row(
        "transient-g3-arthralgia-myalgia-fatigue",
        "Transient grade 3 arthralgia/myalgia or fatigue",
        "Transient grade 3 arthralgia/myalgia/fatigue",
        False,
        _N,
    ),
    _row(
        "hand-foot-g3",
        "Grade 3 hand-foot syndrome (palmar-plantar erythrodysesthesia)",
        "Grade 3 hand-foot syndrome",
        False,
        _N,
    ),
    _row(
        "any-g4",
        "Any grade 4 toxicity (disabling), non-hematologic",
        "Any grade 4 non-hematologic toxicity",
        False,
        _X,
    ),
    _row(
        "anc-under-500-7d",
        "Neutrophils < 500 cells/mm³ for ≥ 7 days",
        "ANC < 500/mm³ ≥ 7 days",
        True,
        _D,
    ),
    _row("febrile-neutropenia", "Febrile neutropenia", "Febrile neutropenia", True, _D),
    _row("platelets-under-25000", "Platelets < 25,000/mm³", "Platelets < 25,000/mm³", True, _D),
    _row(
        "platelets-under-50000-bleeding",
        "Platelets < 50,000/mm³ with bleeding",
        "Platelets < 50,000/mm³ with bleeding",
        True,
        _D,
    ),
)
