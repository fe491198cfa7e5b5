"""Interacting drugs ticked together: a strong CYP3A4 inhibitor and a strong CYP3A4 inducer at
once act on ixabepilone in opposite directions, and the label gives no dose for the pair. The
inhibitor's 20 mg/m² applies (clinical-rules §3: "or stays lower"), but a silent READY would
hide a contradiction the prescriber should resolve: a warning to acknowledge.
"""

from __future__ import annotations

from ixempra_gui.core import label
from ixempra_gui.core.citations import cited
from ixempra_gui.core.models import FieldIssue, Order, Severity
from ixempra_gui.core.validation_fields import is_acknowledged

#: The label's inhibitor rule, and the product's (docs/product-rules.md §3) for the pair.
SRC_BOTH_CYP3A4 = label.SRC_CYP3A4_INHIBITOR


def interaction_issues(order: Order) -> list[FieldIssue]:
    """Both strong CYP3A4 boxes ticked: a warning on the inducer, to acknowledge."""
    if not (order.strong_cyp3a4_inhibitor and order.strong_cyp3a4_inducer):
        return []
    message = (
        "Strong CYP3A4 inducer: ticked together with a strong CYP3A4 inhibitor. They act on "
        "ixabepilone in opposite directions and the label gives no dose for both: the "
        "inhibitor's 20 mg/m² applies. Confirm both drugs with the prescriber, then acknowledge "
        f"the warning to go on ({cited(SRC_BOTH_CYP3A4)})"
    )
    acknowledged = is_acknowledged(order, "strong_cyp3a4_inducer", "with_inhibitor")
    return [
        FieldIssue(
            "strong_cyp3a4_inducer", "with_inhibitor", message, Severity.WARNING, acknowledged
        )
    ]
