"""The site's preferences, declared once, as plain data (no Qt: the INI file is ui/settings.py).

Each option has a key in the INI file, a default, and a parser that refuses a bad value with a
message; a bad or missing value falls back to its default, and the problem is reported, never
silently used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation

from ixempra_gui.system.site_settings import parse_flag

#: Unit selector choices per field: (spelling the core reads a bare number in, what is shown).
#: The spellings are the core's own (ixempra_gui/core/units.py); a typed unit always wins.
UNIT_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "height": (("cm", "cm"), ("m", "m"), ("in", "in"), ("ft", "ft + in")),
    "weight": (("kg", "kg"), ("lb", "lb")),
    "ast": (("u/l", "U/L"), ("ukat/l", "µkat/L")),
    "alt": (("u/l", "U/L"), ("ukat/l", "µkat/L")),
    "bilirubin": (("mg/dl", "mg/dL"), ("umol/l", "µmol/L")),
}

#: Bag sizes a site may stock (mL); clinical-rules §5 default 100, 250, 500.
DEFAULT_BAG_SIZES_ML: tuple[int, ...] = (250, 100, 500)
#: HOPA: rounding to a vial boundary within 10% is acceptable (clinical-rules §5).
MAX_ROUNDING_PCT = 10


class PreferenceError(ValueError):
    """One stored preference is unusable; the message names it and says what is accepted."""


def _unit_parser(field: str) -> Callable[[str], str]:
    allowed = {spelling for spelling, _ in UNIT_CHOICES[field]}

    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in allowed:
            raise PreferenceError(
                f"default unit for {field}: '{text}' is not one of {', '.join(sorted(allowed))}"
            )
        return value

    return parse


def _text(text: str) -> str:
    value = text.strip()
    if not value or len(value) > 32:
        raise PreferenceError(f"'{text}' must be a value with its unit, e.g. 40 U/L")
    return value


def _days(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise PreferenceError(f"'{text}' is not a whole number of days") from None
    if not 1 <= value <= 365:
        raise PreferenceError(f"{value} days: accepted 1–365")
    return value


def _bag_sizes(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    try:
        sizes = tuple(int(p.removesuffix("mL").removesuffix("ml").strip()) for p in parts)
    except ValueError:
        raise PreferenceError(f"bag sizes '{text}': whole mL, comma-separated (250, 100)") from None
    if not sizes or any(not 25 <= s <= 1000 for s in sizes) or len(set(sizes)) != len(sizes):
        raise PreferenceError(
            f"bag sizes '{text}': one to several different sizes of 25–1000 mL, "
            "in order of preference"
        )
    return sizes


def _rounding_pct(text: str) -> Decimal | None:

    value = text.strip().removesuffix("%").strip().lower()
    if value in ("", "off", "0", "none"):
        return None
    try:
        pct = Decimal(value)
    except InvalidOperation:
        raise PreferenceError(f"rounding '{text}': a percentage up to 10, or off") from None
    if not pct.is_finite() or not 0 < pct <= MAX_ROUNDING_PCT:
        raise PreferenceError(f"rounding '{text}': a percentage above 0 and up to 10, or off")
    return pct


def _low_value(text: str) -> Decimal:
    """A lowest usual lab value: a plain number, 0 (no check) up to 10."""

    value = text.strip()
    try:
        number = Decimal(value) if 0 < len(value) <= 12 else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= 10:
        raise PreferenceError(f"'{text}': a plain number from 0 (no check) to 10")
    return number


def _flag(text: str) -> bool:
    value = parse_flag(text)
    if value is None:
        raise PreferenceError(f"'{text}': true or false")
    return value


def _gs_substitute(text: str) -> str:
    """The character a keyboard-wedge scanner sends for the GS1 group separator, or ""."""
    value = text.strip()
    if not value:
        return ""
    # core.gs1_scan (biip): only when a substitute is stored or typed, not before the first frame
    from ixempra_gui.core.gs1_scan import check_gs_substitute

    try:
        return check_gs_substitute(value) or ""
    except ValueError as err:
        raise PreferenceError(str(err)) from None


def _format_pct(value: Decimal | None) -> str:
    return "off" if value is None else f"{value.normalize():f}"


@dataclass(frozen=True)
class Preferences:
    """What a site sets once. Defaults are the product's (clinical-rules §1, §5; issue 4)."""

    height_unit: str = "cm"
    weight_unit: str = "kg"
    ast_unit: str = "u/l"
    alt_unit: str = "u/l"
    bilirubin_unit: str = "mg/dl"
    ast_uln: str = "40 U/L"
    alt_uln: str = "40 U/L"
    bilirubin_uln: str = "1.2 mg/dL"
    bag_sizes_ml: tuple[int, ...] = DEFAULT_BAG_SIZES_ML
    rounding_pct: Decimal | None = None  # dose rounding to a vial boundary: off by default
    body_max_age_days: int = 30  # height and weight
    labs_max_age_days: int = 3
    #: Lowest usual AST/ALT (U/L) and total bilirubin (mg/dL): below is a warning to check (a
    #: value typed in another unit); the product's defaults (core/validation.py).
    low_ast_alt_u_per_l: Decimal = Decimal("5")
    low_bilirubin_mg_per_dl: Decimal = Decimal("0.1")
    #: The bag label leaves lines for a second patient identifier (name, date of birth) to be
    #: written by hand, where the site's policy asks for two identifiers (issue 16): off.
    second_patient_identifier: bool = False
    #: The character the site's scanners send for the GS1 group separator, "" for none (they
    #: send GS itself): the Preparation panel's scan field reads it as GS (issue 16).
    scanner_gs_substitute: str = ""

    def default_unit(self, field: str) -> str:
        return str(getattr(self, f"{field}_unit"))


_PARSERS: dict[str, Callable[[str], object]] = {
    **{f"{name}_unit": _unit_parser(name) for name in UNIT_CHOICES},
    "ast_uln": _text,
    "alt_uln": _text,
    "bilirubin_uln": _text,
    "bag_sizes_ml": _bag_sizes,
    "rounding_pct": _rounding_pct,
    "body_max_age_days": _days,
    "labs_max_age_days": _days,
    "low_ast_alt_u_per_l": _low_value,
    "low_bilirubin_mg_per_dl": _low_value,
    "second_patient_identifier": _flag,
    "scanner_gs_substitute": _gs_substitute,
}

_FORMATTERS: dict[str, Callable[[object], str]] = {
    "bag_sizes_ml": lambda v: ", ".join(str(s) for s in v),  # type: ignore[attr-defined]
    "rounding_pct": _format_pct,  # type: ignore[dict-item]
    "low_ast_alt_u_per_l": lambda v: f"{v.normalize():f}",  # type: ignore[attr-defined]
    "low_bilirubin_mg_per_dl": lambda v: f"{v.normalize():f}",  # type: ignore[attr-defined]
    "second_patient_identifier": lambda v: "true" if v else "false",
}


def parse_preference(key: str, text: str) -> object:
    """One stored string as its typed value; PreferenceError if it is not acceptable."""
    return _PARSERS[key](text)


def from_mapping(stored: Mapping[str, str]) -> tuple[Preferences, tuple[str, ...]]:
    """Preferences from stored strings; unusable values keep their default and are reported."""
    prefs = Preferences()
    changes: dict[str, object] = {}
    problems: list[str] = []
    for f in fields(Preferences):
        if f.name not in stored:
            continue
        try:
            changes[f.name] = parse_preference(f.name, str(stored[f.name]))
        except PreferenceError as err:
            problems.append(f"{f.name}: {err} (default kept)")
    return replace(prefs, **changes), tuple(problems)  # type: ignore[arg-type]


def to_mapping(prefs: Preferences) -> dict[str, str]:
    """Every preference as the string stored in the INI file."""
    out: dict[str, str] = {}
    for f in fields(Preferences):
        value = getattr(prefs, f.name)
        formatter = _FORMATTERS.get(f.name, str)
        out[f.name] = formatter(value)
    return out
