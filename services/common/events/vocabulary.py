"""The vocabularies events share: rating scales, BerAKHLAK values, indicator kinds, unit
kinds, complaint states, and a regency's rules (:class:`TenantSettings`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Rating(StrEnum):
    """The 3-level scale of PermenPANRB 6/2022 for results and for behaviour."""

    DI_ATAS = "di_atas"  # above expectation
    SESUAI = "sesuai"  # as expected
    DI_BAWAH = "di_bawah"  # below expectation


class BerAkhlak(StrEnum):
    """The seven core values of the ASN (BerAKHLAK)."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan"
    AKUNTABEL = "akuntabel"
    KOMPETEN = "kompeten"
    HARMONIS = "harmonis"
    LOYAL = "loyal"
    ADAPTIF = "adaptif"
    KOLABORATIF = "kolaboratif"


class Aspect(StrEnum):
    KUANTITAS = "kuantitas"
    KUALITAS = "kualitas"
    WAKTU = "waktu"
    BIAYA = "biaya"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Aggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    LATEST = "latest"


class Relation(StrEnum):
    SUPERVISOR = "supervisor"
    PEER = "peer"
    SELF = "self"


class UnitKind(StrEnum):
    DINAS = "dinas"
    BADAN = "badan"
    KANTOR = "kantor"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DESA = "desa"
    COUNTER = "counter"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    NOT_OUR_AUTHORITY = "not_our_authority"
    ARCHIVED = "archived"


TimeZone = Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


class TenantSettings(BaseModel):
    """Per-regency rules. Defaults follow domain.md; each regency may change them."""

    # Strict: `false` is not 0 days and "7" is not 7, as lax pydantic would have it.
    model_config = ConfigDict(extra="forbid", strict=True)

    achievement_cap: float = Field(default=120.0, gt=100, le=200)
    rating_above_threshold: float = Field(default=110.0, gt=0)
    rating_meets_threshold: float = Field(default=90.0, gt=0)
    evaluation_cadence: Literal["monthly", "quarterly"] = "monthly"
    min_survey_sample: int = Field(default=384, ge=1, le=1_000_000)
    legacy_score_enabled: bool = False
    # The legacy score's behaviour (0-100) is the mean of the seven BerAKHLAK ratings, each
    # worth these points (per regency; the defaults are the lower bounds of PP 46/2011's
    # Sangat Baik, Baik and Kurang bands).
    legacy_behaviour_points: dict[str, float] = Field(
        default_factory=lambda: {"di_atas": 91.0, "sesuai": 76.0, "di_bawah": 51.0},
        max_length=3,
    )
    count_tambahan_in_overall: bool = False
    activity_edit_window_days: int = Field(default=7, ge=0, le=90)
    # Overall Perilaku is di atas when at least this many of the seven values are di atas.
    behaviour_above_min_count: int = Field(default=4, ge=1, le=7)
    # Small numbers: an aggregate over people shown outside their supervisor chain and
    # admin needs at least this many contributors (domain.md, "Small numbers").
    min_aggregate_size: int = Field(default=5, ge=2, le=100)
    # Survey tokens one issuer may issue per tenant-local day (domain.md, "Survey tokens").
    survey_tokens_per_issuer_per_day: int = Field(default=200, ge=1, le=10_000)

    @model_validator(mode="after")
    def _behaviour_points(self) -> TenantSettings:
        points = self.legacy_behaviour_points
        if set(points) != {"di_atas", "sesuai", "di_bawah"}:
            raise ValueError("legacy_behaviour_points needs di_atas, sesuai and di_bawah")
        if any(not 0 <= v <= 100 for v in points.values()):
            raise ValueError("legacy_behaviour_points must lie between 0 and 100")
        return self

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> TenantSettings:
        if self.rating_meets_threshold >= self.rating_above_threshold:
            raise ValueError("rating_meets_threshold must be below rating_above_threshold")
        return self
