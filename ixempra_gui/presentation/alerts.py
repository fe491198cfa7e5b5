"""The stops and warnings at the top of the result, and the notices said once per site.

Light (no core, no pint): the session folds a notice already seen into the view it publishes.
A notice said once per site leaves the top of the result after it was first shown there; it
stays with its source under "Reasons and sources", and its marker stays where it applies (the
"(unverified)" on every billing line an unconfirmed NDC concerns).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ixempra_gui.presentation.order_state import ReasonLine, ViewState

#: Reason codes whose long notice the top of the result shows once per site (settings.ini).
ONCE_PER_SITE = frozenset({"ndc_unverified"})

_WORDS = {"stop": "Stop", "warning": "Warning"}


def alerts(
    reasons: tuple[ReasonLine, ...], said: str, seen: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """The stops, then the warnings, each once: one already ``said`` above them (the banner's
    stop, the level's "why"), and a once-per-site notice already ``seen``, are left out."""
    return tuple(
        f"{_WORDS[severity]}: {r.message}"
        for severity in ("stop", "warning")
        for r in reasons
        if r.severity == severity
        and r.message not in said
        and not (r.severity == "warning" and r.code in seen)
    )


def said_above(view: ViewState) -> str:
    """What the banner and the level's "why" already say (not repeated by the alerts)."""
    return f"{view.banner_detail}\n{view.level_why}"


def once_shown(view: ViewState) -> frozenset[str]:
    """The once-per-site notices this view shows at its top (to remember as seen)."""
    return frozenset(r.code for r in view.reasons if r.code in ONCE_PER_SITE) & frozenset(
        r.code for r in view.reasons if any(r.message in a for a in view.alerts)
    )


def fold_seen(view: ViewState, seen: frozenset[str]) -> ViewState:
    """The view without the once-per-site notices already seen at this site."""
    if not seen & {r.code for r in view.reasons}:
        return view
    return replace(view, alerts=alerts(view.reasons, said_above(view), seen & ONCE_PER_SITE))
