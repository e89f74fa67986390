"""Citizens at the counters: SKM surveys after a service (a one-time token issued by a
colleague of the officer who served), complaints moved through their lifecycle by the
unit's head. One step of :class:`~deploy.demo.load.RegencyLoader`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deploy.demo.client import parallel, retry_while, until
from deploy.demo.model import ComplaintPlan, SurveyPlan
from services.common.events import ComplaintStatus
from services.common.pagination import MAX_LIMIT
from services.common.skm import ELEMENTS as SKM_ELEMENTS

if TYPE_CHECKING:
    from deploy.demo.load import RegencyLoader


def load_citizens(loader: RegencyLoader) -> None:
    plan, out, api = loader.plan, loader.out, loader.api
    units = {s.unit for s in plan.surveys} | {c.unit for c in plan.complaints}

    def known(code: str) -> Callable[[], Any]:
        path = f"/units/{out.unit_ids[code]}/survey-summary"
        return lambda: api.call("feedback", "GET", path, out.admin_token)

    for code in units:  # feedback knows the unit (and that it serves the public)
        until(known(code), f"feedback to know unit {code}")

    counters = {
        s.unit: sorted({o.officer for o in plan.surveys if o.unit == s.unit}) for s in plan.surveys
    }

    def issue(officer: str, unit: str, service_type: str) -> dict[str, Any]:
        body = {
            "unit_id": out.unit_ids[unit],
            "officer_id": out.ids[officer],
            "service_type": service_type,
        }
        # A petugas loket never names themselves: a colleague at the counter issues it.
        colleague = next((c for c in counters[unit] if c != officer), None)
        issuer = out.tokens[colleague] if colleague else out.admin_token
        token: dict[str, Any] = retry_while(
            lambda: api.call("feedback", "POST", "/survey-tokens", issuer, json=body),
            ("403", "is not an active employee"),
            "feedback to know the officers",
        )
        return token

    def survey(item: SurveyPlan) -> None:
        token = issue(item.officer, item.unit, item.service_type)
        answers = dict(zip(SKM_ELEMENTS, item.answers, strict=True))
        api.call(
            "feedback",
            "POST",
            f"/public/{plan.slug}/surveys/{token['token']}",
            client=api.citizen(),
            json={"answers": answers, "comment": item.comment},
        )

    parallel(survey, plan.surveys)
    if plan.surveys:  # one left for a person to try
        spare = plan.surveys[0]
        out.survey_url = issue(spare.officer, spare.unit, spare.service_type)["survey_url"]

    def complain(item: ComplaintPlan) -> None:
        body: dict[str, Any] = {
            "unit_id": out.unit_ids[item.unit],
            "category": item.category,
            "text": item.text,
        }
        if item.officer:
            body["officer_id"] = out.ids[item.officer]
        receipt = api.call(
            "feedback",
            "POST",
            f"/public/{plan.slug}/complaints",
            client=api.citizen(),
            json=body,
        )
        handler = out.tokens[plan.unit(item.unit).head or ""]

        def listed() -> dict[str, Any] | None:
            page = api.call(
                "feedback",
                "GET",
                "/complaints",
                handler,
                params={"unit_id": out.unit_ids[item.unit], "limit": MAX_LIMIT},
            )
            code = receipt["tracking_code"]
            return next((c for c in page["items"] if c["tracking_code"] == code), None)

        # The head sees the unit's complaints once feedback's copy of the org chart says
        # who heads it (``unit.updated``, which may still be on its way).
        complaint = until(listed, f"feedback to show the unit's head complaint {item.unit}")
        for to_status, reason in item.steps:
            move: dict[str, Any] = {"to_status": to_status, "reason": reason}
            if to_status == ComplaintStatus.VERIFIED and item.lapor_reference:
                move["lapor_reference"] = item.lapor_reference
            api.call(
                "feedback",
                "POST",
                f"/complaints/{complaint['id']}/transitions",
                handler,
                json=move,
            )

    parallel(complain, plan.complaints)
