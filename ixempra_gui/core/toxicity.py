"""Label Table 1 (dose modification for toxicity) as an ordered table, and the proposal it makes.

The start-of-cycle gate reads the toxicity grade *now* (core/cycle_gate.py); this module reads
the *worst events since the last cycle*, one row of Table 1 each, and proposes what the label
asks for: discontinue, a 20 % decrease, or no change. The strongest action wins (discontinue >
−20 % > no change) and one step is taken per cycle, whatever the number of events. The product
proposes; the pharmacist confirms a decrease (clinical-rules §3, §4).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ixempra_gui.core import label


class Action(IntEnum):
    """What a row asks for; a larger value is a stronger action."""

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


@dataclass(frozen=True)
class ToxicityRow:
    """One row of label Table 1: the code typed (``--worst-event``), its words, its action."""

    code: str
    description: str
    hematologic: bool
    action: Action


#: IXEMPRA PI, Dosage and Administration, Dose Modification, Table 1 (every row, in its order).
TABLE_1: tuple[ToxicityRow, ...] = (
    ToxicityRow(
        "neuropathy-g2-7d",
        "Grade 2 neuropathy (moderate) lasting ≥ 7 days",
        False,
        Action.DECREASE_20,
    ),
    ToxicityRow(
        "neuropathy-g3-under-7d",
        "Grade 3 neuropathy (severe) lasting < 7 days",
        False,
        Action.DECREASE_20,
    ),
    ToxicityRow(
        "neuropathy-g3-7d-or-disabling",
        "Grade 3 neuropathy (severe) or disabling neuropathy lasting ≥ 7 days",
        False,
        Action.DISCONTINUE,
    ),
    ToxicityRow(
        "other-g3",
        "Any grade 3 toxicity (severe) other than neuropathy",
        False,
        Action.DECREASE_20,
    ),
    ToxicityRow(
        "transient-g3-arthralgia-myalgia-fatigue",
        "Transient grade 3 arthralgia/myalgia or fatigue",
        False,
        Action.NO_CHANGE,
    ),
    ToxicityRow(
        "hand-foot-g3",
        "Grade 3 hand-foot syndrome (palmar-plantar erythrodysesthesia)",
        False,
        Action.NO_CHANGE,
    ),
    ToxicityRow(
        "any-g4",
        "Any grade 4 toxicity (disabling), non-hematologic",
        False,
        Action.DISCONTINUE,
    ),
    ToxicityRow(
        "anc-under-500-7d",
        "Neutrophils < 500 cells/mm³ for ≥ 7 days",
        True,
        Action.DECREASE_20,
    ),
    ToxicityRow("febrile-neutropenia", "Febrile neutropenia", True, Action.DECREASE_20),
    ToxicityRow(
        "platelets-under-25000",
        "Platelets < 25,000/mm³",
        True,
        Action.DECREASE_20,
    ),
    ToxicityRow(
        "platelets-under-50000-bleeding",
        "Platelets < 50,000/mm³ with bleeding",
        True,
        Action.DECREASE_20,
    ),
)
ROWS: dict[str, ToxicityRow] = {row.code: row for row in TABLE_1}
#: The row a current non-hematologic grade 4 implies (the worst event was at least that).
GRADE_4_ROW = ROWS["any-g4"]


@dataclass(frozen=True)
class Proposal:
    """What the worst events since the last cycle ask for, and which rows ask it."""

    action: Action
    rows: tuple[ToxicityRow, ...]  # the rows entered (and implied), in table order
    deciding: tuple[ToxicityRow, ...]  # the rows whose action is the proposal's

    @property
    def message(self) -> str:
        named = "; ".join(r.description for r in self.deciding)
        if self.action is Action.DISCONTINUE:
            return (
                f"Discontinue IXEMPRA: {named} (label Table 1). No further cycle; tell the "
                "prescriber."
            )
        if self.action is Action.DECREASE_20:
            return (
                f"Worst event since the last cycle: {named}. Table 1 proposes one further 20 % "
                "decrease (one step per cycle, whatever the number of events)."
            )
        return f"Worst event since the last cycle: {named}. Table 1: no change in dose."


def accepted_codes() -> str:
    """The row codes, for help texts and messages."""
    return ", ".join(row.code for row in TABLE_1)


def propose(codes: tuple[str, ...], current_grade: int | None) -> Proposal | None:
    """The strongest action of the rows entered; None when no row was entered or implied.

    A current non-hematologic grade 4 implies the "any grade 4" row: the worst event since the
    last cycle cannot have been milder than the toxicity now.
    """
    rows = [ROWS[code] for code in codes]
    if current_grade is not None and current_grade >= 4 and GRADE_4_ROW not in rows:
        rows.append(GRADE_4_ROW)
    if not rows:
        return None
    ordered = tuple(r for r in TABLE_1 if r in rows)
    strongest = max(r.action for r in ordered)
    return Proposal(strongest, ordered, tuple(r for r in ordered if r.action is strongest))


SRC_TABLE_1 = label.SRC_TOXICITY
