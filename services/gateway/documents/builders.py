"""Each document's content, gathered from the services with the reader's token and the
gateway's org chart copy: who may have it, what it prints, how it is registered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import Request

from services.common.i18n import translate
from services.common.orgchart import OrgChart
from services.common.refusals import Forbidden, NotFound, Refusal
from services.common.security import Principal
from services.gateway.context import Gateway
from services.gateway.documents import content as c
from services.gateway.documents.data import get_json, person, place_of, regency_name
from services.gateway.documents.register import Issue

SKP_STATUS = {
    "draft": "Draf (belum diajukan)",
    "submitted": "Diajukan, menunggu persetujuan",
    "approved": "Disetujui",
    "revised": "Disetujui (revisi)",
}


@dataclass
class Ctx:
    gateway: Gateway
    request: Request
    token: str
    principal: Principal
    org: OrgChart

    async def get(self, service: str, path: str, **params: str) -> Any:
        return await get_json(self.gateway, self.request, self.token, service, path, params)


@dataclass
class Document:
    kind: str
    subject_key: str
    holder: str
    period: str
    template: str
    filename: str
    context: dict[str, Any] = field(default_factory=dict)

    def issue(self, tenant: str, issued_by: str) -> Issue:
        return Issue(
            tenant=tenant,
            kind=self.kind,
            subject_key=self.subject_key,
            holder=self.holder,
            period=self.period,
            digest=c.digest(self.context),
            issued_by=issued_by,
        )


async def regency_of(org: OrgChart) -> str:
    return await regency_name(org)


async def caller_name(ctx: Ctx) -> str:
    me = ctx.principal.employee_id or ctx.principal.user_id
    found = await person(ctx.org, me, "")
    return found.name if found is not c.NOBODY else "Admin BKPSDM"


async def check_may_download(ctx: Ctx, employee_id: str) -> None:
    """The employee, their supervisors at any depth (the kepala daerah at the top), admin."""
    if await ctx.org.employee(employee_id) is None:
        raise NotFound("employee not found")
    principal = ctx.principal
    if principal.is_admin:
        return
    me = principal.user_id if principal.is_kepala_daerah else principal.employee_id
    if me and (me == employee_id or me in await ctx.org.supervisor_chain(employee_id)):
        return
    raise Forbidden("only the employee, their supervisors and BKPSDM may download this document")


async def _assessor_blocks(ctx: Ctx, employee_id: str, regency: str) -> list[c.Person]:
    """Pegawai yang Dinilai, Pejabat Penilai Kinerja, Atasan Pejabat Penilai Kinerja."""
    employee = await ctx.org.employee(employee_id)
    assert employee is not None
    assessor_id = await ctx.org.supervisor_of(employee)
    assessor = await ctx.org.employee(assessor_id)
    above = await ctx.org.supervisor_of(assessor) if assessor else None
    return [
        await person(ctx.org, employee_id, regency),
        await person(ctx.org, assessor_id, regency),
        await person(ctx.org, above, regency),
    ]


async def _parent_titles(ctx: Ctx, employee_id: str, year: int) -> dict[str, str]:
    """The supervisor's RHK each RHK supports: from the supervisor's SKP when the reader
    may read it, else (the employee themself) from the options they chose from."""
    employee = await ctx.org.employee(employee_id)
    supervisor = employee.supervisor_id if employee else None
    titles: dict[str, str] = {}
    if supervisor:
        try:
            page = await ctx.get("targets", "/skp", employee_id=supervisor, year=str(year))
            for skp in page.get("items", []):
                titles.update({r["rhk_id"]: r["title"] for r in skp.get("rhk", [])})
        except Refusal:
            pass
    if not titles and ctx.principal.employee_id == employee_id:
        try:
            options = await ctx.get("targets", "/skp/parent-options", year=str(year))
            titles.update({o["rhk_id"]: o["title"] for o in options})
        except Refusal:
            pass
    return titles


async def skp(ctx: Ctx, skp_id: str) -> Document:
    found = await ctx.get("targets", f"/skp/{quote(skp_id, safe='')}")
    employee_id, year = str(found["employee_id"]), int(found["year"])
    await check_may_download(ctx, employee_id)
    status, version, rhk = found["status"], found["version"], found["rhk"]
    if status not in ("approved", "revised") and found.get("approved_version"):
        # A revision in progress: the version in force is the approved one.
        version = found["approved_version"]
        approved = await ctx.get("targets", f"/skp/{quote(skp_id, safe='')}/versions/{version}")
        status, rhk = "approved", approved["rhk"]
    regency = await regency_name(ctx.org)
    pegawai, penilai, _ = await _assessor_blocks(ctx, employee_id, regency)
    parents = await _parent_titles(ctx, employee_id, year)
    rows = []
    for kind in ("utama", "tambahan"):
        for item in (r for r in rhk if r["kind"] == kind):
            parent = item.get("parent_rhk_id")
            rows.append(
                {
                    "kind": kind,
                    "title": item["title"],
                    "parent": parents.get(parent, "RHK atasan") if parent else "-",
                    "indicators": [
                        {
                            "name": i["name"],
                            "aspect": c.label(c.ASPECTS, i["aspect"]),
                            "target": f"{c.amount(i['target'])} {i['unit']}",
                        }
                        for i in item["indicators"]
                    ],
                }
            )
    period = c.period_label(str(year))
    context = {
        "regency": regency,
        "place": place_of(regency),
        "period": period,
        "year": year,
        "status": SKP_STATUS.get(status, status),
        "final": status in ("approved", "revised"),
        "version": version,
        "pegawai": pegawai,
        "penilai": penilai,
        "utama": [r for r in rows if r["kind"] == "utama"],
        "tambahan": [r for r in rows if r["kind"] == "tambahan"],
    }
    return Document(
        kind="skp",
        subject_key=f"skp:{skp_id}",
        holder=pegawai.name,
        period=f"{period} (versi {version})",
        template="skp.html",
        filename=f"SKP-{year}-{pegawai.nip}.pdf",
        context=context,
    )


async def evaluation(ctx: Ctx, employee_id: str, period: str, org_predikat: str) -> Document:
    await check_may_download(ctx, employee_id)
    score = await ctx.get(
        "scoring", f"/scores/employees/{quote(employee_id, safe='')}", period=period
    )
    ratings: dict[str, str] = {}
    try:
        found = await ctx.get(
            "assessment",
            "/assessments",
            assessee_id=employee_id,
            period=period,
            relation="supervisor",
        )
        if found.get("items"):
            ratings = found["items"][0].get("rhk_ratings") or {}
    except Refusal:
        pass  # the per-RHK ratings are detail: the document stands on the overall ones
    regency = await regency_name(ctx.org)
    pegawai, penilai, atasan = await _assessor_blocks(ctx, employee_id, regency)
    rhk = [
        {
            "title": r["title"],
            "kind": r["kind"],
            "achievement": c.number(r.get("achievement")),
            "rating": c.label(c.RATINGS, ratings.get(r["rhk_id"])),
        }
        for r in score.get("rhk", [])
    ]
    behaviour = [
        {"value": name, "rating": c.label(c.RATINGS, score["behaviour_ratings"].get(code))}
        for code, name in c.BERAKHLAK.items()
    ]
    label = c.period_label(period)
    context = {
        "regency": regency,
        "place": place_of(regency),
        "period": label,
        "annual": c.is_annual(period),
        "org_predikat": c.label(c.PREDIKAT, org_predikat),
        "pegawai": pegawai,
        "penilai": penilai,
        "atasan": atasan,
        "rhk": rhk,
        "behaviour": behaviour,
        "result_rating": c.label(c.RATINGS, score.get("final_result_rating")),
        "behaviour_rating": c.label(c.RATINGS, score.get("final_behaviour_rating")),
        "predikat": c.label(c.PREDIKAT, score.get("final_predikat")),
        "achievement": c.number(score.get("achievement")),
        "final": score.get("final_predikat") is not None,
    }
    return Document(
        kind="evaluasi",
        subject_key=f"evaluasi:{employee_id}:{period}",
        holder=pegawai.name,
        period=label,
        template="evaluation.html",
        filename=f"Evaluasi-Kinerja-{period}-{pegawai.nip}.pdf",
        context=context,
    )


async def skm(ctx: Ctx, unit_id: str, first: date, last: date) -> Document:
    window = {"from": first.isoformat(), "to": last.isoformat()}
    path = f"/units/{quote(unit_id, safe='')}"
    # The suggestions first: their rule (the unit's head, its complaint officer, admin)
    # is who may have the report.
    comments = await ctx.get("feedback", path + "/survey-comments", **window)
    summary = await ctx.get("feedback", path + "/survey-summary", **window)
    regency = await regency_name(ctx.org)
    unit = await ctx.org.unit(unit_id)
    head = await person(ctx.org, unit.head_employee_id if unit else None, regency)
    elements = [
        {
            "name": c.label(c.SKM_ELEMENTS, e["element"]),
            "nrr": c.number(e["nrr"], 3),
            "weighted": c.number(e["nrr"] / 9, 3),
        }
        for e in summary.get("elements", [])
    ]
    period = f"{c.tanggal(first)} s.d. {c.tanggal(last)}"
    context = {
        "regency": regency,
        "place": place_of(regency),
        "unit": summary["unit_name"],
        "period": period,
        "responses": summary["responses"],
        "min_sample": summary["min_sample"],
        "provisional": summary["provisional"],
        "suppressed": summary["suppressed"] or summary.get("ikm") is None,
        "elements": elements,
        "weighted_total": c.number(sum(e["nrr"] for e in summary.get("elements", [])) / 9, 3),
        "ikm": c.number(summary.get("ikm")),
        "mutu": summary.get("category") or "-",
        "kinerja": summary.get("label") or "-",
        "comments": comments.get("comments", [])[:50],
        "comments_total": len(comments.get("comments", [])),
        "head": head,
    }
    return Document(
        kind="skm",
        subject_key=f"skm:{unit_id}:{first.isoformat()}:{last.isoformat()}",
        holder=summary["unit_name"],
        period=period,
        template="skm.html",
        filename=f"Laporan-SKM-{first.isoformat()}-{last.isoformat()}.pdf",
        context=context,
    )


async def annual(ctx: Ctx, year: int, org_predikat: str) -> Document:
    if not ctx.principal.is_admin:
        raise Forbidden("only BKPSDM may download the regency's annual report")
    score = await ctx.get(
        "scoring", "/scores/regency", year=str(year), organisation_predikat=org_predikat
    )
    regency = await regency_name(ctx.org)
    total = sum(score["predikat_distribution"].values())
    distribution = [
        {
            "predikat": name,
            "count": score["predikat_distribution"].get(code, 0),
            "share": c.number(
                100 * score["predikat_distribution"].get(code, 0) / total if total else None, 1
            ),
        }
        for code, name in c.PREDIKAT.items()
    ]
    kd = await ctx.org.kepala_daerah()
    context = {
        "regency": regency,
        "place": place_of(regency),
        "year": year,
        "period": c.period_label(str(year)),
        "org_predikat": c.label(c.PREDIKAT, org_predikat),
        "employees": score["employees"],
        "assessed": total,
        "distribution": distribution,
        "checks": [
            {
                "rule": translate(q["rule"], None, "id"),
                "share": c.number(100 * q["share"], 1),
                "breached": q["breached"],
            }
            for q in score["distribution_checks"]
        ],
        "by_ikm": [
            {"name": u["name"], "value": c.number(u["value"]), "responses": u.get("responses")}
            for u in score["units_by_ikm"]
        ],
        "by_achievement": [
            {"name": u["name"], "value": c.number(u["value"])}
            for u in score["units_by_achievement"]
        ],
        "training": [
            {"value": c.label(c.BERAKHLAK, t["value"]), "count": t["rated_di_bawah"]}
            for t in score["training_needs"]
        ],
        "recommendations": score.get("development_recommendations", [])[:20],
        # The kepala daerah knows it; a regency without the account signs by hand.
        "signer": c.kepala_daerah(
            kd.title if kd else "Kepala Daerah", kd.name if kd else "-", regency
        ),
    }
    return Document(
        kind="tahunan",
        subject_key=f"tahunan:{year}",
        holder=regency,
        period=str(year),
        template="annual.html",
        filename=f"Laporan-Kinerja-{year}.pdf",
        context=context,
    )
