"""Body surface area by the five published formulas (clinical-rules §2), in Decimal.

Decimal keeps a Mosteller value that is exactly on a rounding boundary exactly on it, so
half-up rounding to 0.01 m² behaves as a pharmacist computing by hand expects.
"""

from __future__ import annotations

from decimal import Context, Decimal

from ixempra_gui.core import label
from ixempra_gui.core.models import BsaFormula, BsaResult
from ixempra_gui.core.rounding import round_bsa

_CTX = Context(prec=34)

FORMULA_NAMES = {f: f.label for f in BsaFormula}  # the names: core/choices.py
FORMULA_SOURCES = {
    BsaFormula.MOSTELLER: "Mosteller, NEJM 1987;317:1098",
    BsaFormula.DUBOIS: "DuBois & DuBois, Arch Intern Med 1916;17:863",
    BsaFormula.HAYCOCK: "Haycock, J Pediatr 1978;93:62",
    BsaFormula.GEHAN_GEORGE: "Gehan & George, Cancer Chemother Rep 1970;54:225",
    BsaFormula.BOYD: "Boyd, The Growth of the Surface Area of the Human Body, 1935",
}
_EXPRESSIONS = {
    BsaFormula.MOSTELLER: "√(H × W / 3600)",
    BsaFormula.DUBOIS: "0.007184 × W^0.425 × H^0.725",
    BsaFormula.HAYCOCK: "0.024265 × W^0.5378 × H^0.3964",
    BsaFormula.GEHAN_GEORGE: "0.0235 × W^0.51456 × H^0.42246",
    BsaFormula.BOYD: "0.0003207 × H^0.3 × Wg^(0.7285 − 0.0188 × log10 Wg)",
}


def _pow(base: Decimal, exponent: str) -> Decimal:
    return _CTX.power(base, Decimal(exponent))


def bsa_m2(formula: BsaFormula, height_cm: Decimal, weight_kg: Decimal) -> Decimal:
    """Unrounded BSA in m² from height in cm and weight in kg."""
    h, w = height_cm, weight_kg
    if formula is BsaFormula.MOSTELLER:
        return _CTX.sqrt(_CTX.divide(_CTX.multiply(h, w), Decimal(3600)))
    if formula is BsaFormula.DUBOIS:
        return Decimal("0.007184") * _pow(w, "0.425") * _pow(h, "0.725")
    if formula is BsaFormula.HAYCOCK:
        return Decimal("0.024265") * _pow(w, "0.5378") * _pow(h, "0.3964")
    if formula is BsaFormula.GEHAN_GEORGE:
        return Decimal("0.0235") * _pow(w, "0.51456") * _pow(h, "0.42246")
    if formula is BsaFormula.BOYD:
        grams = w * 1000
        exponent = Decimal("0.7285") - Decimal("0.0188") * _CTX.log10(grams)
        return Decimal("0.0003207") * _pow(h, "0.3") * _CTX.power(grams, exponent)
    raise ValueError(f"unknown BSA formula {formula!r}")


def compute_bsa(formula: BsaFormula, height_cm: Decimal, weight_kg: Decimal) -> BsaResult:
    """BSA rounded half-up to 0.01 m², then capped at 2.20 m² (label; clinical-rules §2)."""
    exact = bsa_m2(formula, height_cm, weight_kg)
    rounded = round_bsa(exact)
    capped = rounded > label.BSA_CAP_M2
    used = label.BSA_CAP_M2 if capped else rounded
    step = (
        f"BSA ({FORMULA_NAMES[formula]}) = {_EXPRESSIONS[formula]} with H = "
        f"{_short(height_cm)} cm, W = {_short(weight_kg)} kg = {_short(exact, 4)} "
        f"→ {rounded} m²"
    )
    if capped:
        step += f", capped at {label.BSA_CAP_M2.normalize():f} m²"
    return BsaResult(formula, exact, rounded, used, capped, step)


def _short(value: Decimal, places: int = 2) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"
