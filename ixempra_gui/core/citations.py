"""How a source is cited to the pharmacist: the label, the policy and the literature as they
are; the product's own decisions (the sources say "spec §n", "issue n": the JSON keeps that) as
"product rule (docs/<page>.md)". Its own module so that the validation messages, which embed
their source, can cite it the same way without importing the wording of the result."""

from __future__ import annotations

import re
from collections.abc import Callable

#: Where the product's own decisions are written down, for the pharmacist: the sources name
#: them "spec §n" and "issue n" (the JSON keeps that); people read "product rule (docs/…)".
PRODUCT_RULES_PAGE = "docs/product-rules.md"
JOURNAL_PAGE = "docs/journal-integrity.md"


def _spec_sections(match: re.Match[str]) -> str:
    sections = ", ".join(f"§{n}" for n in re.findall(r"\d+", match.group(0)))
    return f"product rule ({PRODUCT_RULES_PAGE} {sections})"


_CITATIONS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"spec §\d+(?:\s*(?:,|and)\s*§\d+)*(?: plausibility)?"), _spec_sections),
    (re.compile(r"issue 13(?:[.:]\d+)?"), f"product rule ({JOURNAL_PAGE})"),
    (re.compile(r"issue #?\d+(?:[.:]\d+)?"), f"product rule ({PRODUCT_RULES_PAGE})"),
    (re.compile(r"product decision(?:,\s*|:\s*)(?=.)"), ""),
    (re.compile(r"\s*\((product rule \([^)]*\))\)"), r"; \1"),
    (re.compile(r"\bproduct decision\b"), f"product rule ({PRODUCT_RULES_PAGE})"),
)


def cited(source: str) -> str:
    """A source as the pharmacist reads it: the label, the policy and the literature as they
    are; a product decision ("spec §3", "issue 13") as "product rule (docs/<page>.md)"."""
    text = source
    for pattern, replacement in _CITATIONS:
        text = pattern.sub(replacement, text)
    parts: list[str] = []
    for part in text.split("; "):  # one product rule cited once
        if part not in parts or not part.startswith("product rule ("):
            parts.append(part)
    return "; ".join(parts).strip().lstrip(";, ")
