"""Contraindications that stand whatever the labs say (label, Contraindications; spec §3).

The hepatic ones (capecitabine combination) live with the hepatic table (core/hepatic.py); this
module holds the rest: a severe hypersensitivity to a Cremophor EL product.
"""

from __future__ import annotations

from ixempra_gui.core import label
from ixempra_gui.core.models import LevelRule, Reason, Severity, ValidInputs

CREMOPHOR_CODE = "cremophor_hypersensitivity"
CREMOPHOR_TEXT = (
    "IXEMPRA is contraindicated: severe (grade 3/4) hypersensitivity to a Cremophor EL "
    "(polyoxyl 35 castor oil) product such as paclitaxel. IXEMPRA is formulated in Cremophor "
    "EL: do not give it."
)


def contraindications(inputs: ValidInputs) -> tuple[tuple[LevelRule, ...], tuple[Reason, ...]]:
    """The level rules (no level: no dose) and stop reasons of each contraindication present."""
    if not inputs.cremophor_hypersensitivity:
        return (), ()
    rule = LevelRule(CREMOPHOR_CODE, CREMOPHOR_TEXT, None, label.SRC_CREMOPHOR, applies=True)
    return (rule,), (Reason(CREMOPHOR_CODE, CREMOPHOR_TEXT, label.SRC_CREMOPHOR, Severity.STOP),)
