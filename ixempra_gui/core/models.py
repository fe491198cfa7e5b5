"""The immutable request and result objects that every layer passes around.

The window, the CLI, the worksheet and the journal all render one ``DoseResult``; none of them
recomputes a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

# The order's choices are declared once, light, in core/choices.py; re-exported here.
from ixempra_gui.core.choices import BsaFormula as BsaFormula
from ixempra_gui.core.choices import Diluent as Diluent
from ixempra_gui.core.choices import ReductionMode as ReductionMode
from ixempra_gui.core.choices import Regimen as Regimen
from ixempra_gui.core.units import Measurement


class Status(StrEnum):
    """Whether a dose may be prepared. Only OK is ready to prepare."""

    OK = "ok"
    CONTRAINDICATED = "contraindicated"
    NOT_RECOMMENDED = "not_recommended"
    HOLD = "hold"
    STOP = "stop"  # a stop reason that is none of the above (e.g. no bag in range, discontinue)
    INVALID_INPUT = "invalid_input"


class Severity(StrEnum):
    INFO = "info"  # how a figure was reached
    WARNING = "warning"  # the pharmacist must know; does not stop the dose
    STOP = "stop"  # no dose may be prepared


@dataclass(frozen=True)
class Reason:
    """Why something was decided, and the rule it comes from."""

    code: str
    message: str
    source: str
    severity: Severity = Severity.INFO


@dataclass(frozen=True)
class FieldIssue:
    """A problem with one input: an error, or a warning that must be acknowledged."""

    field: str
    code: str
    message: str
    severity: Severity  # STOP for an error, WARNING for a soft-range value
    acknowledged: bool = False

    @property
    def blocks(self) -> bool:
        return self.severity is Severity.STOP or not self.acknowledged

    @property
    def ack_code(self) -> str:
        """What ``--acknowledge`` takes to accept this one warning: ``field.code``."""
        return f"{self.field}.{self.code}"


@dataclass(frozen=True)
class Order:
    """What the pharmacist entered, as text: the one input of the calculator."""

    height: str | None = None
    weight: str | None = None
    regimen: str | None = None
    ast: str | None = None
    ast_uln: str | None = None
    alt: str | None = None
    alt_uln: str | None = None
    bilirubin: str | None = None
    bilirubin_uln: str | None = None
    bsa_formula: str = BsaFormula.MOSTELLER.value
    strong_cyp3a4_inhibitor: bool = False
    gilbert_syndrome: bool = False
    #: Severe (grade 3/4) hypersensitivity to a Cremophor EL product: contraindicated.
    cremophor_hypersensitivity: bool = False
    #: Every warning listed (the CLI's --acknowledge-warnings, the window's tick).
    acknowledge_warnings: bool = False
    #: Single warnings accepted by their ``FieldIssue.ack_code`` (--acknowledge CODE).
    acknowledged: tuple[str, ...] = ()
    # --- start of cycle: ANC and platelets are required before every cycle (spec §4)
    anc: str | None = None
    platelets: str | None = None
    #: The non-hematologic toxicity grade NOW (the gate: resolved to ≤ 1?), 0..4; optional.
    current_nonheme_toxicity_grade: str | int | None = None
    #: Label Table 1 rows of the worst events since the last cycle (core/toxicity.py codes).
    worst_events: tuple[str, ...] = ()
    #: The pharmacist confirms the reduction the worst events propose.
    confirm_reduction: bool = False
    toxicity_reductions: str | int | None = None
    reduction_mode: str | None = None
    reduction_reason: str | None = None
    hepatic_escalation_level: str | None = None
    strong_cyp3a4_inducer: bool = False
    dose_level: str | None = None
    round_to_vial_within: str | float | None = None
    # --- preparation
    diluent: str | None = None
    bag_sizes: str | None = None
    prior_hypersensitivity: bool = False
    prepared_at: str | None = None  # ISO 8601; the CLI and window pass "now"
    # --- site settings (not re-entered in the double check)
    #: Lowest usual AST/ALT (U/L) and total bilirubin (mg/dL): below is a warning (a value
    #: typed in another unit, e.g. AST 3 meant as µkat/L). None: the product defaults.
    low_ast_alt_u_per_l: str | None = None
    low_bilirubin_mg_per_dl: str | None = None
    # unit a bare number is read in, per field key (e.g. {"height": "in"}); defaults per field
    default_units: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ValidInputs:
    """Inputs that passed validation, as exact quantities."""

    height: Measurement
    weight: Measurement
    regimen: Regimen
    ast: Measurement
    ast_uln: Measurement
    alt: Measurement
    alt_uln: Measurement
    bilirubin: Measurement
    bilirubin_uln: Measurement
    bsa_formula: BsaFormula
    strong_cyp3a4_inhibitor: bool
    gilbert_syndrome: bool
    cremophor_hypersensitivity: bool = False
    cycle: CycleInputs = field(default_factory=lambda: CycleInputs())
    preparation: PreparationInputs = field(default_factory=lambda: PreparationInputs())


@dataclass(frozen=True)
class CycleInputs:
    """Validated cycle-decision inputs (ANC and platelets are required by validation)."""

    anc: Measurement | None = None
    platelets: Measurement | None = None
    current_nonheme_toxicity_grade: int | None = None
    worst_events: tuple[str, ...] = ()  # core/toxicity.py row codes, as entered, no duplicates
    confirm_reduction: bool = False
    toxicity_reductions: int = 0
    reduction_mode: ReductionMode = ReductionMode.RELATIVE
    reduction_reason: str | None = None
    hepatic_escalation_level: Measurement | None = None
    strong_cyp3a4_inducer: bool = False
    dose_level: Measurement | None = None
    round_to_vial_within_pct: Decimal | None = None


@dataclass(frozen=True)
class PreparationInputs:
    diluent: Diluent = Diluent.LACTATED_RINGERS
    bag_sizes_ml: tuple[int, ...] = (250, 100, 500)
    prior_hypersensitivity: bool = False
    prepared_at: datetime | None = None


@dataclass(frozen=True)
class BsaResult:
    formula: BsaFormula
    exact_m2: Decimal  # before rounding
    rounded_m2: Decimal  # 0.01 m², half-up
    used_m2: Decimal  # after the 2.2 m² cap
    capped: bool
    step: str


@dataclass(frozen=True)
class HepaticRatios:
    """Each lab as an exact multiple of its upper limit of normal."""

    ast: Fraction
    alt: Fraction
    bilirubin: Fraction


@dataclass(frozen=True)
class LevelRule:
    """A rule considered for the dose level: what it allows (None: no dose), whether it set it."""

    code: str
    description: str
    level_mg_per_m2: Decimal | None
    source: str
    applies: bool


@dataclass(frozen=True)
class VialPlan:
    counts: tuple[tuple[int, int], ...]  # (strength mg, count), largest strength first
    total_mg: int

    def count(self, strength_mg: int) -> int:
        return dict(self.counts).get(strength_mg, 0)

    @property
    def vial_count(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class BillingLine:
    hcpcs: str
    modifier: str | None
    units: int
    description: str


@dataclass(frozen=True)
class Billing:
    hcpcs: str
    units_administered: int
    units_wasted: int
    modifier: str  # "JW" when a discarded-amount line exists, else "JZ"
    ndc: tuple[str, ...]
    ndc_unverified: tuple[str, ...]
    lines: tuple[BillingLine, ...]

    @property
    def units_total(self) -> int:
        return self.units_administered + self.units_wasted


@dataclass(frozen=True)
class GateCriterion:
    """One start-of-cycle criterion: value (None when not entered), limit, outcome."""

    code: str
    label: str
    value: Fraction | int | None
    unit: str
    limit: Fraction | int
    comparison: str  # "≥" or "≤": what passing means
    passed: bool | None  # None: not checked


@dataclass(frozen=True)
class CycleGate:
    criteria: tuple[GateCriterion, ...]

    @property
    def checked(self) -> bool:
        """Every criterion had a value."""
        return all(c.passed is not None for c in self.criteria)

    @property
    def passed(self) -> bool | None:
        """False if any entered criterion failed; None if nothing failed but some were missing."""
        if any(c.passed is False for c in self.criteria):
            return False
        return True if self.checked else None


@dataclass(frozen=True)
class DoseRounding:
    """Optional rounding to a vial boundary (HOPA; spec §5)."""

    within_pct: Decimal
    unrounded_mg: Decimal
    rounded_mg: Decimal
    change_pct: Decimal  # (rounded − unrounded) ÷ unrounded × 100, 0.1 %
    applied: bool


@dataclass(frozen=True)
class VialPreparation:
    strength_mg: int
    diluent_ml: Decimal


@dataclass(frozen=True)
class Preparation:
    vials: tuple[VialPreparation, ...]
    reconstituted_mg_per_ml: Decimal
    withdraw_ml: Decimal
    diluent: Diluent
    bag_ml: int | None  # None: no stocked bag gives 0.2–0.6 mg/mL
    bicarbonate_meq: Decimal | None
    final_volume_ml: Decimal | None
    concentration_mg_per_ml: Decimal | None  # 0.01 mg/mL
    infusion_hours: int
    rate_ml_per_h: Decimal | None
    reconstituted_use_by: datetime | None
    infusion_start_by: datetime | None
    infusion_complete_by: datetime | None
    filter: str
    container: str
    premedication: tuple[str, ...]
    bag_advice: str | None  # when no bag fits: which total volume would


@dataclass(frozen=True)
class DoseResult:
    """Everything the calculation found: every intermediate figure, the status and every reason."""

    status: Status
    issues: tuple[FieldIssue, ...] = ()
    inputs: ValidInputs | None = None
    bsa: BsaResult | None = None
    ratios: HepaticRatios | None = None
    level_rules: tuple[LevelRule, ...] = ()
    dose_level_mg_per_m2: Decimal | None = None
    dose_mg: Decimal | None = None
    vials: VialPlan | None = None
    volume_ml: Decimal | None = None
    billing: Billing | None = None
    cycle_gate: CycleGate | None = None
    dose_rounding: DoseRounding | None = None
    preparation: Preparation | None = None
    reasons: tuple[Reason, ...] = ()
    steps: tuple[str, ...] = field(default=())
    #: The steps from the BSA to the volume, each once: the level rules are ``level_rules``,
    #: the billing ``billing``, the compounding ``preparation`` (``steps`` holds them all).
    derivation: tuple[str, ...] = ()

    @property
    def ready_to_prepare(self) -> bool:
        """True only for a complete, valid, allowed dose."""
        return self.status is Status.OK and self.dose_mg is not None

    @property
    def errors(self) -> tuple[FieldIssue, ...]:
        """The issues that stop the calculation (errors and unacknowledged warnings)."""
        return tuple(issue for issue in self.issues if issue.blocks)
