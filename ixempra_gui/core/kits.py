"""Which packages are IXEMPRA kits, and of which strength: product data, read from
resources/product/ixempra-kits.json (beside the NDCs, not in the payer-policy file).

A scanned kit is identified by the labeler and product code inside its GTIN; the package code
is recorded as scanned, and stays marked unverified where the product data's NDC is
(clinical-rules §6, §8). The same NDCs are in the policy's vials, for billing; a test holds the
two files equal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from ixempra_gui.core.resources import resource_path

KITS_FILE = ("product", "ixempra-kits.json")
SUPPORTED_SCHEMA = 1
_KIT_KEYS = frozenset(
    {"strength_mg", "labeler", "product", "package", "package_verified", "description", "note"}
)
_TOP_KEYS = frozenset({"schema_version", "about", "brand", "drug", "source", "kits"})
# The three splits of a 10-digit NDC (labeler-product-package): 4-4-2, 5-3-2, 5-4-1.
_SPLITS = frozenset({(4, 4), (5, 3), (5, 4)})


class KitDataError(ValueError):
    """The kit product file is missing a field, has an unknown one, or a malformed value."""


@dataclass(frozen=True)
class KitProduct:
    strength_mg: int
    labeler: str  # "70020"
    product: str  # "1910"
    package: str  # NDC-11 package code, two digits: "01"
    package_verified: bool
    description: str
    note: str | None = None

    @property
    def ndc_prefix(self) -> str:
        """Labeler and product digits, as they stand at the start of the NDC in the GTIN."""
        return self.labeler + self.product

    @property
    def ndc_digits(self) -> str:
        """The 10 NDC digits as they stand in the kit's GTIN (003 + these + check digit)."""
        if len(self.ndc_prefix) == 9:  # 5-4-1: the NDC-11 package code's leading 0 is padding
            return self.ndc_prefix + self.package[-1]
        return self.ndc_prefix + self.package

    @property
    def product_ndc(self) -> str:
        """Labeler-product, e.g. 70020-1910 (the policy's ``ndc10``)."""
        return f"{self.labeler}-{self.product}"

    @property
    def ndc11(self) -> str:
        """The billing NDC in 5-4-2 form, e.g. 70020-1910-01."""
        return f"{self.labeler.zfill(5)}-{self.product.zfill(4)}-{self.package}"


@dataclass(frozen=True)
class KitMatch:
    """A scanned NDC that is one of the kits: the product, and the NDC-11 as scanned."""

    product: KitProduct
    ndc11: str  # labeler-product-package of the scanned package, 5-4-2
    package_matches: bool  # the scanned package code is the product data's

    @property
    def ndc11_verified(self) -> bool:
        """Only when the data's package code is verified and the kit carries that code."""
        return self.product.package_verified and self.package_matches


@dataclass(frozen=True)
class KitCatalog:
    brand: str
    drug: str
    source: str
    kits: tuple[KitProduct, ...]  # largest strength first

    @property
    def strengths_mg(self) -> tuple[int, ...]:
        return tuple(k.strength_mg for k in self.kits)

    def identify(self, ndc10: str) -> KitMatch | None:
        """The kit whose labeler and product code begin these 10 NDC digits, if any."""
        for kit in self.kits:
            if len(ndc10) == 10 and ndc10.isdigit() and ndc10.startswith(kit.ndc_prefix):
                package = ndc10[len(kit.ndc_prefix) :].zfill(2)
                ndc11 = f"{kit.labeler.zfill(5)}-{kit.product.zfill(4)}-{package}"
                return KitMatch(kit, ndc11, package == kit.package)
        return None

    def kit(self, strength_mg: int) -> KitProduct:
        for kit in self.kits:
            if kit.strength_mg == strength_mg:
                return kit
        raise KeyError(strength_mg)


@cache
def load_kits() -> KitCatalog:
    """Read and check the kit product file once per process."""
    path = resource_path(*KITS_FILE)
    return parse_kits(json.loads(path.read_text(encoding="utf-8")), path.name)


def parse_kits(data: Any, name: str = "kit data") -> KitCatalog:
    """Check the kit data strictly; KitDataError names the file and what is wrong."""
    if not isinstance(data, dict) or data.get("schema_version") != SUPPORTED_SCHEMA:
        found = data.get("schema_version") if isinstance(data, dict) else None
        raise KitDataError(
            f"{name}: schema {found} is not supported (this version reads {SUPPORTED_SCHEMA})"
        )
    try:
        _no_unknown_keys(data, _TOP_KEYS, "top level")
        entries = data["kits"]
        if not isinstance(entries, list) or not entries:
            raise ValueError("kits: expected a non-empty list")
        kits = tuple(sorted((_kit(e) for e in entries), key=lambda k: -k.strength_mg))
        strengths = [k.strength_mg for k in kits]
        if len(set(strengths)) != len(strengths):
            raise ValueError(f"kits: duplicate strengths {strengths}")
        prefixes = [k.ndc_prefix for k in kits]
        for a in prefixes:
            if any(a != b and b.startswith(a) for b in prefixes) or prefixes.count(a) > 1:
                raise ValueError(f"kits: labeler+product {a} does not identify one kit")
        return KitCatalog(
            brand=_text(data["brand"], "brand"),
            drug=_text(data["drug"], "drug"),
            source=_text(data["source"], "source"),
            kits=kits,
        )
    except KeyError as exc:
        raise KitDataError(f"{name}: missing field {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise KitDataError(f"{name}: {exc}") from exc


def _kit(entry: Any) -> KitProduct:
    if not isinstance(entry, dict):
        raise TypeError(f"kits: expected an object per kit, got {entry!r}")
    _no_unknown_keys(entry, _KIT_KEYS, "kit")
    strength = entry["strength_mg"]
    if not isinstance(strength, int) or isinstance(strength, bool) or strength <= 0:
        raise ValueError(f"kit strength_mg must be a positive integer, got {strength!r}")
    where = f"kit {strength} mg"
    labeler, product = _digits(entry["labeler"], where), _digits(entry["product"], where)
    package = _digits(entry["package"], where)
    if (len(labeler), len(product)) not in _SPLITS:
        raise ValueError(
            f"{where}: labeler {labeler} and product {product} are not a 4-4, 5-3 or 5-4 NDC split"
        )
    if len(package) != 2 or (len(labeler) + len(product) == 9 and not package.startswith("0")):
        raise ValueError(f"{where}: package {package} does not fit a 10-digit NDC")
    verified = entry["package_verified"]
    if not isinstance(verified, bool):
        raise TypeError(f"{where}: package_verified must be true or false, got {verified!r}")
    note = entry.get("note")
    if not verified and note is None:
        raise ValueError(f"{where}: an unverified package code needs a note saying why")
    return KitProduct(
        strength_mg=strength,
        labeler=labeler,
        product=product,
        package=package,
        package_verified=verified,
        description=_text(entry["description"], f"{where} description"),
        note=None if note is None else _text(note, f"{where} note"),
    )


def _no_unknown_keys(entry: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _digits(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise ValueError(f"{where}: expected digits as text, got {value!r}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected non-empty text")
    return value
