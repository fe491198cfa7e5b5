"""Label Table 1 (dose modification for toxicity) as an ordered table, and the proposal it makes.

The start-of-cycle gate reads the toxicity grade *now* (core/cycle_gate.py); this module reads
the *worst events since the last cycle*, one row of Table 1 each, and proposes what the label
asks for: discontinue, a 20 % decrease, or no change. The strongest action wins (discontinue >
−20 % > no change) and one step is taken per cycle, whatever the number of events. The product
proposes; the pharmacist confirms a decrease (clinical-rules §3, §4).
"""

from __future__ import annotations

from dataclasses import dataclass

from ixempra_gui.core import label

# The table itself is declared once, light, in core/choices.py; re-exported here.
from ixempra_gui.core.choices import TABLE_1 as TABLE_1
from ixempra_gui.core.choices import Action as Action
from ixempra_gui.core.choices import ToxicityRow as ToxicityRow

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
