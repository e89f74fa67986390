"""Pure rules of the targets service, and its request schemas: no database, no broker."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.common.events import Aspect, Indicator, Rhk
from services.common.orgchart import check_may_act, check_may_be_acted_upon
from services.common.refusals import BadRequest, Conflict, Forbidden, Refusal
from services.targets.app import Settings, create_app
from services.targets.domain import (
    SkpStatus,
    TeamStatus,
    Viewer,
    check_activity_date,
    check_content,
    check_edit_window,
    check_submittable,
    copy_for_new_year,
    find_indicator,
    local_date,
    may_view_log,
    normalise_unit,
    require_status,
    revision_conflict,
    team_status,
)
from services.targets.models import IndicatorIn, RhkIn

pytestmark = pytest.mark.unit


def make_rhk(rhk_id: str = "r1", *, kind: str = "utama", parent: str | None = None) -> Rhk:
    indicator = Indicator(
        indicator_id=f"{rhk_id}-i", name="KTP", aspect=Aspect.KUANTITAS, target=10, unit="dokumen"
    )
    return Rhk(
        rhk_id=rhk_id, title="Layanan", kind=kind, parent_rhk_id=parent, indicators=(indicator,)
    )


def reason(exc: pytest.ExceptionInfo[Refusal]) -> tuple[int, str]:
    """The status a refusal answers with and its English text."""
    return exc.value.status, str(exc.value)


def test_units_come_from_the_allowed_list() -> None:
    assert normalise_unit(" Dokumen ") == "dokumen"
    assert normalise_unit("%") == "%"
    with pytest.raises(ValueError, match="unknown unit 'parsec'"):
        normalise_unit("parsec")


@pytest.mark.parametrize(
    "bad",
    [{"target": 0}, {"target": -1}, {"target": float("inf")}, {"aspect": "x"}, {"unit": "kg"}],
)
def test_indicator_schema_refuses_bad_values(bad: dict[str, object]) -> None:
    good = {"name": "KTP", "aspect": "kuantitas", "target": 5, "unit": "dokumen"}
    assert IndicatorIn.model_validate(good).target == 5
    with pytest.raises(ValidationError):
        IndicatorIn.model_validate({**good, **bad})


def test_an_rhk_needs_an_indicator_and_a_known_kind() -> None:
    with pytest.raises(ValidationError):
        RhkIn.model_validate({"title": "x", "kind": "utama", "indicators": []})
    with pytest.raises(ValidationError):
        RhkIn.model_validate(
            {
                "title": "x",
                "kind": "lainnya",
                "indicators": [
                    {"name": "a", "aspect": "waktu", "target": 3, "unit": "hari"},
                ],
            }
        )


def test_cascade_links_only_to_the_offered_parents() -> None:
    check_content([make_rhk(parent="boss-1")], parent_options=["boss-1", "boss-2"])
    with pytest.raises(BadRequest) as exc:
        check_content([make_rhk(parent="boss-9")], parent_options=["boss-1"])
    assert reason(exc)[0] == 400 and "boss-9" in reason(exc)[1]
    assert exc.value.params == {"title": "Layanan", "parent": "boss-9"}
    with pytest.raises(BadRequest):
        check_content([make_rhk(parent="boss-1")], parent_options=[])


def test_ids_are_unique_within_an_skp() -> None:
    with pytest.raises(BadRequest, match="rhk_id"):
        check_content([make_rhk("a"), make_rhk("a")], parent_options=[])
    same_indicator = make_rhk("b").model_copy(update={"indicators": make_rhk("a").indicators})
    with pytest.raises(BadRequest, match="indicator_id"):
        check_content([make_rhk("a"), same_indicator], parent_options=[])


def test_submission_needs_someone_to_approve_and_a_main_result() -> None:
    kd = {"has_kepala_daerah": True}
    none = {"has_kepala_daerah": False}
    check_submittable([make_rhk(kind="tambahan"), make_rhk("b")], "boss", **none)
    # The top of the chain goes to the kepala daerah, when the regency has one.
    check_submittable([make_rhk()], None, **kd)
    with pytest.raises(BadRequest, match="no kepala daerah account yet"):
        check_submittable([make_rhk()], None, **none)
    with pytest.raises(BadRequest, match="utama"):
        check_submittable([make_rhk(kind="tambahan")], "boss", **none)
    with pytest.raises(BadRequest, match="utama"):
        check_submittable([], None, **kd)


def test_status_guard_answers_409() -> None:
    require_status("draft", SkpStatus.DRAFT, action="edit")
    with pytest.raises(Conflict) as exc:
        require_status("approved", SkpStatus.SUBMITTED, action="approve")
    assert reason(exc) == (409, "only a submitted SKP can be approved; this one is approved")


def test_copy_for_a_new_year_renews_ids_and_drops_links() -> None:
    source = [make_rhk("a", parent="boss"), make_rhk("b", kind="tambahan")]
    copy = copy_for_new_year(source)
    assert [r.title for r in copy] == [r.title for r in source]
    assert [r.kind for r in copy] == ["utama", "tambahan"]
    assert all(r.parent_rhk_id is None for r in copy)
    assert not {r.rhk_id for r in copy} & {"a", "b"}
    assert copy[0].indicators[0].indicator_id != "a-i"
    assert copy[0].indicators[0].target == 10
    assert find_indicator(copy, copy[1].indicators[0].indicator_id) == copy[1].indicators[0]
    assert find_indicator(copy, "a-i") is None


def test_activity_date_within_the_year_and_not_in_the_future() -> None:
    today = date(2026, 6, 15)
    check_activity_date(date(2026, 6, 15), skp_year=2026, today=today)
    check_activity_date(date(2026, 1, 1), skp_year=2026, today=today)
    with pytest.raises(BadRequest, match="future"):
        check_activity_date(date(2026, 6, 16), skp_year=2026, today=today)
    with pytest.raises(BadRequest, match="outside the SKP year"):
        check_activity_date(date(2025, 12, 31), skp_year=2026, today=today)


def test_edit_window_is_inclusive_and_answers_409() -> None:
    check_edit_window(date(2026, 6, 8), today=date(2026, 6, 15), window_days=7)
    check_edit_window(date(2026, 6, 15), today=date(2026, 6, 15), window_days=0)
    with pytest.raises(Conflict) as exc:
        check_edit_window(date(2026, 6, 7), today=date(2026, 6, 15), window_days=7)
    assert reason(exc) == (
        409,
        "the entry was logged 8 days ago; it may be changed only within 7 days",
    )


def test_local_date_follows_the_tenant_time_zone() -> None:
    evening_utc = datetime(2026, 3, 31, 18, 30)  # stored naive = UTC
    assert local_date(evening_utc, "Asia/Jakarta") == date(2026, 4, 1)  # UTC+7
    assert local_date(datetime(2026, 3, 31, 14, 30), "Asia/Jayapura") == date(2026, 3, 31)
    assert local_date(datetime(2026, 3, 31, 15, 30), "Asia/Jayapura") == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (Viewer("owner", "u1", False), True),
        (Viewer("boss", "u0", False), True),
        (Viewer("bosses-boss", "u0", False), True),
        (Viewer("peer", "u1", False), True),
        (Viewer("stranger", "u2", False), False),
        (Viewer("hr", None, True), True),
        (Viewer(None, None, False), False),
        (Viewer("unknown", None, False), False),
    ],
)
def test_log_visibility(viewer: Viewer, allowed: bool) -> None:
    assert (
        may_view_log(viewer, owner_id="owner", owner_unit="u1", owner_chain=["boss", "bosses-boss"])
        is allowed
    )


def test_team_status() -> None:
    assert team_status(None) is TeamStatus.MISSING
    assert team_status("submitted") is TeamStatus.SUBMITTED


def test_openapi_documents_every_route_with_its_errors(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/t.db"))
    paths = app.openapi()["paths"]
    ours = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/")}
    assert sum(len(ops) for ops in ours.values()) == 22  # 15 for SKP, 7 for activities
    for path, operations in ours.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "422"} <= codes, (method, path)
            assert any(c.startswith("2") for c in codes), (method, path)
    listing = paths["/api/v1/activities"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in listing["parameters"]}
    batch = paths["/api/v1/activities/batch"]["post"]
    assert {"400", "409"} <= set(batch["responses"]) and "all or none" in batch["description"]


def test_deactivated_employees_and_stale_revisions_are_refused() -> None:
    check_may_act(True)
    check_may_act(None)  # not in the org chart copy yet: other rules decide
    with pytest.raises(Forbidden, match="deactivated") as refused:
        check_may_act(False)
    assert refused.value.status == 403
    check_may_be_acted_upon("Peer", True)
    with pytest.raises(Conflict, match="Peer is deactivated") as closed:
        check_may_be_acted_upon("Peer", False)
    assert closed.value.status == 409
    conflict = revision_conflict(3)
    assert conflict.status == 409 and "since revision 3" in str(conflict)
