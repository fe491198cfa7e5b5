"""Qt-free and light: the Coverage tab's answers exactly as entered (the core checks them).

No core here: the tab is built, and its answers held, before the rules load (bench/startup.py);
``coverage_view`` evaluates them once the order has been calculated.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Why the prior-authorization summary cannot be printed before anything is evaluated.
PA_NOT_YET = "Not available yet: enter the order and the answers."


@dataclass(frozen=True)
class CoverageForm:
    """The tab's answers exactly as entered (the core checks them)."""

    request: str = "initial"
    request_date: str = ""  # YYYY-MM-DD; empty: today
    diagnosis: str = ""
    setting: str | None = None
    resistant_to: tuple[str, ...] = ()  # anthracycline, taxane, capecitabine
    anthracycline_contraindicated: bool = False
    progression_on_ixempra: bool = False
    response: str | None = None  # renewal only
    unacceptable_toxicities: tuple[str, ...] = ()  # renewal only, policy toxicity codes
