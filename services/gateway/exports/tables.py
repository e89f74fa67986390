"""THE registry of exportable tables: the dashboard tables of the BKPSDM, organisation,
platform and ops pages. Each names the service API that feeds it (called with the
caller's own token, so the service's own role and tenant checks apply as on the page), the
query parameters it takes, how to pick its rows from the answer, its columns (headers are
the pages' English msgids, written in the reader's language from the catalogues), and the
roles that may download it (checked first, so a refusal names the table).

A column's value is a cell (text, number or empty), never a pre-formatted figure: a
spreadsheet sums and sorts numbers. Ids are shown as names (unit, supervisor, head) from
the gateway's own copy of the org chart, in the caller's regency only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.common.i18n import LocaleCode, translate
from services.common.security import Role
from services.gateway.exports.sheet import Cell

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Names:
    """What a column may look up: the reader's language, names by id (the caller's
    regency only), the pages' word tables."""

    locale: LocaleCode
    units: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)

    def t(self, msgid: str) -> str:
        return translate(msgid, None, self.locale)

    def label(self, group: str, code: str | None) -> str | None:
        """A code as the pages show it (app.js LABELS, the same msgids)."""
        if code is None:
            return None
        words = LABELS.get(group, {})
        return self.t(words[code]) if code in words else code

    def unit(self, unit_id: str | None) -> str | None:
        return self.units.get(unit_id, None) if unit_id else None

    def person(self, employee_id: str | None) -> str | None:
        return self.people.get(employee_id, None) if employee_id else None


# The pages' word tables (app.js LABELS and admin.js VALUES): the same English msgids.
LABELS: dict[str, dict[str, str]] = {
    "predikat": {
        "sangat_baik": "Very good",
        "baik": "Good",
        "butuh_perbaikan": "Needs improvement",
        "kurang": "Poor",
        "sangat_kurang": "Very poor",
    },
    "skpStatus": {
        "draft": "Draft",
        "submitted": "Awaiting approval",
        "approved": "Approved",
        "missing": "Not made yet",
    },
    "unitKind": {
        "dinas": "Department",
        "badan": "Agency",
        "kantor": "Office",
        "kecamatan": "District",
        "kelurahan": "Urban village",
        "desa": "Village",
        "counter": "Service counter",
    },
    "value": {
        "berorientasi_pelayanan": "Service orientation",
        "akuntabel": "Accountable",
        "kompeten": "Competent",
        "harmonis": "Harmonious",
        "loyal": "Loyal",
        "adaptif": "Adaptive",
        "kolaboratif": "Collaborative",
    },
}
PREDIKAT_ORDER = ("sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang")


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # an English msgid of the page's column
    value: Callable[[Row, Names], Cell]


def key(name: str) -> Callable[[Row, Names], Cell]:
    return lambda row, _names: row.get(name)


def label(group: str, name: str) -> Callable[[Row, Names], Cell]:
    return lambda row, names: names.label(group, row.get(name))


def unit_of(name: str) -> Callable[[Row, Names], Cell]:
    return lambda row, names: names.unit(row.get(name))


def checks(row: Row, _names: Names) -> Cell:
    return "; ".join(f"{name}: {code}" for name, code in row["checks"].items())


def yes_no(name: str, yes: str = "Yes", no: str = "No") -> Callable[[Row, Names], Cell]:
    return lambda row, names: names.t(yes if row.get(name) else no)


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # the URL's and the file's name (the pages' CSV names)
    title: str  # msgid: the sheet's name
    roles: frozenset[Role]
    service: str  # whose /api/v1 feeds it ("gateway": the ops status, read here)
    path: str
    columns: tuple[Column, ...]
    rows: Callable[[Any], list[Row]] = lambda answer: list(answer["items"])
    params: tuple[str, ...] = ()  # query parameters passed on, validated by the service
    fixed: tuple[tuple[str, str], ...] = ()  # query parameters always sent
    paged: bool = False  # fetch every page (limit/offset), not just the first
    # The year or period the file covers goes into its name when given.
    named_by: str | None = "year"


def _ranked(kind: str) -> Callable[[Any], list[Row]]:
    return lambda answer: [{"rank": i, **u} for i, u in enumerate(answer[kind], start=1)]


def _distribution(answer: Any) -> list[Row]:
    counts = answer["predikat_distribution"]
    total = sum(counts.get(p, 0) for p in PREDIKAT_ORDER)
    return [
        {
            "predikat": p,
            "count": counts.get(p, 0),
            "share": round(counts.get(p, 0) / total * 100, 1) if total else 0.0,
        }
        for p in PREDIKAT_ORDER
    ]


ADMIN = frozenset({Role.ADMIN})
REGENCY = ("year", "organisation_predikat")
PEOPLE = (
    Column("Name", key("name")),
    Column("Work unit", unit_of("unit_id")),
    Column("Final predikat", label("predikat", "final_predikat")),
    Column("Achievement (%)", key("achievement")),
)


def _regency(name: str, title: str, rows: Callable[[Any], list[Row]], *cols: Column) -> Table:
    return Table(name, title, ADMIN, "scoring", "/scores/regency", cols, rows, REGENCY)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        _regency(
            "sebaran-predikat",
            "Predikat distribution",
            _distribution,
            Column("Predikat", label("predikat", "predikat")),
            Column("Count", key("count")),
            Column("Share (%)", key("share")),
        ),
        _regency(
            "peringkat-ikm",
            "Units by IKM",
            _ranked("units_by_ikm"),
            Column("#", key("rank")),
            Column("Work unit", key("name")),
            Column("IKM", key("value")),
            Column("Respondents", key("responses")),
        ),
        _regency(
            "peringkat-capaian",
            "Units by achievement",
            _ranked("units_by_achievement"),
            Column("#", key("rank")),
            Column("Work unit", key("name")),
            Column("Mean achievement (%)", key("value")),
        ),
        _regency("pegawai-terbaik", "Top performers", lambda a: list(a["top_performers"]), *PEOPLE),
        _regency(
            "pegawai-perlu-pembinaan",
            "Under-performers",
            lambda a: list(a["under_performers"]),
            *PEOPLE,
        ),
        _regency(
            "kebutuhan-pelatihan",
            "Training needs",
            lambda a: list(a["training_needs"]),
            Column("BerAKHLAK value", label("value", "value")),
            Column("Rated below expectations", key("rated_di_bawah")),
        ),
        _regency(
            "rekomendasi-pengembangan",
            "Development recommendations",
            lambda a: [{"text": text} for text in a["development_recommendations"]],
            Column("Development recommendation", key("text")),
        ),
        Table(
            "pegawai-tanpa-skp-disetujui",
            "Employees without an approved SKP",
            ADMIN,
            "targets",
            "/skp/regency",
            (
                Column("Name", key("name")),
                Column("Position", key("position")),
                Column("Work unit", unit_of("unit_id")),
                Column("SKP status", label("skpStatus", "status")),
            ),
            params=("year",),
            fixed=(("unapproved", "true"),),
            paged=True,
        ),
        Table(
            "nilai-pp46",
            "Legacy score (PP 46/2011)",
            ADMIN,
            "scoring",
            "/scores/legacy/regency",
            (
                Column("Name", key("name")),
                Column("NIP", key("nip")),
                Column("Work unit", key("unit_name")),
                Column("SKP score", key("skp_score")),
                Column("Behaviour score", key("behaviour_score")),
                Column("Total", key("total")),
                Column("Band", key("band")),
            ),
            params=("period",),
            paged=True,
            named_by="period",
        ),
        Table(
            "unit-kerja",
            "Units",
            ADMIN,
            "identity",
            "/units",
            (
                Column("Name", key("name")),
                Column("Code", key("code")),
                Column("Kind", label("unitKind", "kind")),
                Column("Parent unit", unit_of("parent_id")),
                Column("Head of unit", lambda row, n: n.person(row.get("head_employee_id"))),
                Column("Serves the public", yes_no("serves_public")),
            ),
            paged=True,
            named_by=None,
        ),
        Table(
            "pegawai",
            "Employees",
            ADMIN,
            "identity",
            "/employees",
            (
                Column("Name", key("name")),
                Column("NIP", key("nip")),
                Column("Position", key("position")),
                Column("Work unit", unit_of("unit_id")),
                Column("Supervisor", lambda row, n: n.person(row.get("supervisor_id"))),
                Column("Status", yes_no("active", "Active", "Inactive")),
            ),
            params=("include_inactive", "q"),
            paged=True,
            named_by=None,
        ),
        Table(
            "kabupaten-kota",
            "Regencies",
            frozenset({Role.PLATFORM}),
            "identity",
            "/tenants",
            (
                Column("Name", key("name")),
                Column("Slug", key("slug")),
                Column("Time zone", key("time_zone")),
                Column("Registered", lambda row, _n: str(row.get("created_at", ""))[:10]),
            ),
            paged=True,
            named_by=None,
        ),
        Table(
            "status-layanan",
            "Service status",
            frozenset({Role.OPS, Role.PLATFORM}),
            "gateway",
            "/ops/status",
            (
                Column("Service", key("service")),
                Column("Ready", yes_no("ready")),
                Column(
                    "Checks",
                    lambda row, _n: ", ".join(f"{k}: {v}" for k, v in row["checks"].items()),
                ),
            ),
            rows=lambda answer: list(answer["services"]),
            named_by=None,
        ),
    )
}
