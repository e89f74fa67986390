"""Scoring's explanations as templates and parameters: the English prose of the API is
rendered from them unchanged, and every template has its Indonesian for the pages (which
render ``explained`` in the reader's language, gateway_pegawai.po)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from services.common.events import Aggregation, Direction, Rating, TenantSettings
from services.common.i18n import catalog, translate
from services.scoring import domain as d
from services.scoring import explain as ex
from services.scoring import legacy as lg
from services.scoring.legacy_views import explain as explain_legacy

pytestmark = pytest.mark.unit


def every_explanation() -> list[list[ex.Part]]:
    """Each explanation function over the branches it has."""
    out: list[list[ex.Part]] = []
    for agg, direction, real, share in itertools.product(
        Aggregation, Direction, (None, 0.0, 60.0), (0.0, 0.5)
    ):
        spec = d.IndicatorSpec("i", "KTP-el", 200, "dokumen", direction, agg)
        state = d.IndicatorState(real or 0.0, 0 if real is None else 6, real)
        out.append(
            ex.explain_indicator_parts(
                spec, d.indicator_figures(spec, state, share, 120), share, 120
            )
        )
    for value, both, projected in itertools.product((None, 95.0), (False, True), (False, True)):
        out.append(ex.explain_overall_parts(value, 2, both, projected))
    for rating in (None, Rating.SESUAI):
        out.append(ex.explain_projected_rating_parts(95.0, rating, TenantSettings()))
        out.append(ex.explain_behaviour_parts({"akuntabel": "di_atas"}, rating, 4))
    for value, final in itertools.product((None, d.Predikat.KURANG), (False, True)):
        out.append(ex.explain_predikat_parts(Rating.DI_ATAS, Rating.DI_BAWAH, value, final=final))
    for ikm, responses in ((None, 0), (75.0, 3), (90.0, 400)):
        out.append(ex.explain_ikm_parts(ikm, "C", responses, 384))
    for behaviour in (None, Decimal(80)):
        score = lg.legacy_score([Decimal(92)], behaviour)
        out.append(explain_legacy(score, 1, 7, TenantSettings()))
    return out


def test_the_english_prose_is_rendered_from_the_parts() -> None:
    spec = d.IndicatorSpec(
        "i", "KTP-el", 200, "dokumen", Direction.HIGHER_IS_BETTER, Aggregation.SUM
    )
    figures = d.indicator_figures(spec, d.IndicatorState(60, 6), 0.5, 120)
    parts = ex.explain_indicator_parts(spec, figures, 0.5, 120)
    assert ex.english(parts) == d.explain_indicator(spec, figures, 0.5, 120)
    # Numbers stay numbers (the page formats them in the reader's language).
    assert parts[1].params["achievement_pct"] == 30.0 and parts[1].params["target"] == 200
    final = ex.explain_predikat_parts(
        Rating.DI_ATAS, Rating.DI_BAWAH, d.Predikat.KURANG, final=True
    )
    assert final[0].params == {"predikat": "kurang", "result": "di_atas", "behaviour": "di_bawah"}
    assert "Final predikat Kurang: Hasil Kerja di_atas x Perilaku di_bawah" in ex.english(final)


def test_every_explanation_template_has_its_indonesian_with_the_same_placeholders() -> None:
    indonesian = catalog("id")
    seen = {part.message: part for parts in every_explanation() for part in parts}
    assert len(seen) >= 25  # every branch was reached
    missing = sorted(m for m in seen if m not in indonesian)
    assert not missing, "add to gateway_pegawai.po:\n" + "\n".join(missing)
    for message, part in seen.items():
        rendered = translate(message, {k: "X" for k in part.params}, "id")
        assert "{" not in rendered, (message, rendered)
