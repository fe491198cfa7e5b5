"""Patient identifiers, person names and free text: what is accepted, and how one patient's
records are found. One function for each, used wherever an identifier is read (the window's
form and Verify, both CLIs, the history, ``list --patient-id``).

Why so strict: the 90-units-in-21-days limit is counted per patient. A zero-width space, a soft
hyphen, a word joiner, a BOM or a Cyrillic "а" typed into an identifier used to make a second
patient with no earlier doses. So an identifier must match the site's rule (site_settings.py;
default ASCII letters, digits, ``.``, ``_``, ``-`` and single inner spaces, 1–40 characters once
the spaces around it are trimmed), anything else is refused naming the character, and spaces and
case are not part of the key (``MRN 0012345`` and ``mrn0012345`` are one patient: merging two
identifiers can only count more, never less).

``patient_key`` is total: records written before these rules (schema v1/v2) may hold any text,
and migration 3 recomputes their keys with it, folding what the rules now refuse (format
characters dropped, compatibility forms and other scripts' digits and look-alike letters mapped
to ASCII) so that those doses count under the clean identifier.
"""

from __future__ import annotations

import re
import unicodedata

from ixempra_gui.site_settings import MAX_PATTERN_ID_CHARS, SiteSettings, load_site_settings

MAX_PATIENT_ID_CHARS = 40  # the default rule
MAX_PERSON_CHARS = 200
MAX_FREE_TEXT_CHARS = 2000
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
DEFAULT_RULE = (
    "ASCII letters, digits, '.', '_', '-' and single spaces between them, "
    f"1–{MAX_PATIENT_ID_CHARS} characters"
)
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Unicode categories never accepted in any text the journal keeps: control, format (zero-width,
# soft hyphen, BOM, bidirectional overrides), surrogates, private use, unassigned, line and
# paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def describe(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how a refused character is named in a message."""
    name = unicodedata.name(ch, "") or {"Cc": "control character"}.get(
        unicodedata.category(ch), "unnamed character"
    )
    shown = f"'{ch}' " if ch.isprintable() and not ch.isspace() else ""
    return f"{shown}U+{ord(ch):04X} {name}".rstrip()


def preview(text: str, limit: int = 40) -> str:
    """Text for a message: shortened, with anything unprintable escaped (never echo a control
    character or an escape sequence to a terminal)."""
    short = text if len(text) <= limit else text[:limit] + "…"
    return ascii(short) if not short.isprintable() else f"'{short}'"


def foreign_character(text: str, *, allow_newlines: bool = False) -> str | None:
    """The first character no journal text may hold (module comment above), or a digit that is
    not 0–9 (١٧٠ and １７０ read as 170 elsewhere): described, else None."""
    for ch in text:
        if allow_newlines and ch == "\n":
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _BIDI_CONTROLS:
            return describe(ch)
        if ch.isdigit() and ch not in "0123456789":
            return f"{describe(ch)} (not an ASCII digit: type 0–9)"
    return None


# --- patient identifiers ------------------------------------------------------------------------


def trim_patient_id(text: str) -> str:
    """The identifier without the spaces around it (only U+0020: other blanks are refused)."""
    return text.strip(" ")


def _default_rule_problem(value: str) -> str | None:
    for i, ch in enumerate(value, start=1):
        if ch == " ":
            if value[i - 2] == " ":  # i >= 2: value is trimmed, so it starts with no space
                return f"Patient id: two spaces in a row at position {i - 1}; use single spaces."
            continue
        if ch not in _ID_CHARS:
            return (
                f"Patient id: the character {describe(ch)} at position {i} is not accepted. "
                f"Accepted: {DEFAULT_RULE}."
            )
    if len(value) > MAX_PATIENT_ID_CHARS:
        return f"Patient id: at most {MAX_PATIENT_ID_CHARS} characters ({len(value)} given)."
    return None


def check_patient_id(patient_id: object, site: SiteSettings | None = None) -> str | None:
    """Why this identifier cannot be used (naming the character), or None. The spaces around it
    are trimmed first (``trim_patient_id``); ``site`` defaults to the site settings."""
    if not isinstance(patient_id, str):
        return "Patient id: required."
    value = trim_patient_id(patient_id)
    if not value:
        return "Patient id: required."
    if site is None:
        site, _ = load_site_settings()
    limit = MAX_PATTERN_ID_CHARS if site.patient_id_pattern else MAX_PATIENT_ID_CHARS
    if len(value) > limit * 4:  # far too long: say so without scanning megabytes
        return f"Patient id: at most {limit} characters ({len(value)} given)."
    for i, ch in enumerate(value, start=1):
        if not (ch.isascii() and ch.isprintable()):
            return (
                f"Patient id: the character {describe(ch)} at position {i} is not accepted "
                "(only printable ASCII: look-alike and invisible characters would make a "
                "second patient)."
            )
    if site.patient_id_pattern is None:
        return _default_rule_problem(value)
    if len(value) > limit:
        return f"Patient id: at most {limit} characters ({len(value)} given)."
    if not re.fullmatch(site.patient_id_pattern, value, re.ASCII):
        return (
            f"Patient id: {preview(value)} does not match this site's identifier format "
            f"({site.patient_id_pattern})."
        )
    return None


def clean_patient_id(patient_id: str, site: SiteSettings | None = None) -> tuple[str, str | None]:
    """(the trimmed identifier, why it cannot be used or None)."""
    return trim_patient_id(patient_id), check_patient_id(patient_id, site)


# Letters of other scripts that look like Latin ones (after case folding). Only records written
# before identifiers were checked can hold them; new identifiers are ASCII.
_LOOK_ALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "н": "h", "і": "i", "ї": "i",
        "ј": "j", "к": "k", "ӏ": "l", "м": "m", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s",
        "с": "c", "т": "t", "у": "y", "ү": "y", "х": "x", "ԁ": "d", "ԝ": "w", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m",
        "ν": "n", "ο": "o", "ρ": "p", "τ": "t", "υ": "y", "χ": "x", "ϲ": "c",
        # Latin
        "ı": "i", "ȷ": "j", "ſ": "s",
    }
)  # fmt: skip


def patient_key(patient_id: str) -> str:
    """How one patient's records are found: spaces and case are not part of it.

    For an identifier the rules accept this is just "no spaces, lower case". For older records
    (any text) it also drops format characters and other blanks, applies NFKC (full-width
    forms), maps other scripts' digits and look-alike letters to ASCII: joining two patients is
    the safe error, splitting one would hide a dose from the limit."""
    if patient_id.isascii():
        return "".join(patient_id.split()).lower()
    folded = unicodedata.normalize("NFKC", patient_id).casefold().translate(_LOOK_ALIKES)
    out = []
    for ch in folded:
        category = unicodedata.category(ch)
        if ch.isspace() or category in _REFUSED_CATEGORIES or category == "Mn":
            continue
        if category == "Nd":
            ch = str(unicodedata.decimal(ch, ch))
        out.append(ch)
    return "".join(out)


# --- people and free text -----------------------------------------------------------------------


def check_person(label: str, name: object) -> str | None:
    """A typed name (prepared by, verified by): required, one line, no invisible characters
    (``A. Smith`` with a zero-width space must not pass for another person)."""
    if not isinstance(name, str) or not name.strip():
        return f"{label}: required."
    if name != name.strip():
        return f"{label}: remove the spaces at the start or end ({preview(name)})."
    if len(name) > MAX_PERSON_CHARS:
        return f"{label}: at most {MAX_PERSON_CHARS} characters ({len(name)} given)."
    bad = foreign_character(name)
    if bad:
        return (
            f"{label}: the character {bad} is not accepted; type the name again without "
            "line breaks, tabs or invisible characters."
        )
    return None


def check_free_text(label: str, text: str, *, max_chars: int = MAX_FREE_TEXT_CHARS) -> str | None:
    """Free text kept in a record (a comment, a reason): line breaks allowed, no other control
    or invisible character, digits 0–9 only."""
    if len(text) > max_chars:
        return f"{label}: at most {max_chars} characters ({len(text)} given)."
    bad = foreign_character(text, allow_newlines=True)
    if bad:
        return f"{label}: the character {bad} is not accepted; type it again."
    return None


def same_person(a: str, b: str) -> bool:
    """``A. Smith`` and ``a. smith`` are one person (case, width and spacing ignored)."""

    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", s).casefold().split())

    return norm(a) == norm(b)
