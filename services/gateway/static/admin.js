"use strict";
/* /admin: BKPSDM's dashboard of the regency's year. Every table can be downloaded as XLSX
   or CSV (K.table's export option: the gateway's export of the same table). Words: English msgids, Indonesian in gateway_admin.po. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, fmt, label, muted, t } = K;
  const predikatSelect = document.getElementById("org-predikat");
  let year = K.yearSelect("year-select", (y) => {
    year = y;
    loadAll();
  });
  predikatSelect.addEventListener("change", loadRegency);
  let unitNames = new Map();

  const ORDER = ["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"];
  // The seven BerAKHLAK values as people read them.
  const VALUES = {
    berorientasi_pelayanan: "Service orientation",
    akuntabel: "Accountable",
    kompeten: "Competent",
    harmonis: "Harmonious",
    loyal: "Loyal",
    adaptif: "Adaptive",
    kolaboratif: "Collaborative",
  };
  // The export of a table of the chosen year (and, for the curve, organisation predikat).
  const regencyFile = (table) => ({ export: { table, params: { year, organisation_predikat: predikatSelect.value } } });
  const file = (table) => ({ export: { table, params: { year } } });

  function predikatRows(r) {
    const total = ORDER.reduce((sum, p) => sum + (r.predikat_distribution[p] || 0), 0);
    const rows = ORDER.map((p) => {
      const n = r.predikat_distribution[p] || 0;
      const share = total ? (n / total) * 100 : 0;
      return [
        el("span", { dataset: { predikat: p, count: n }, text: label("predikat", p) }),
        fmt.num(n, 0),
        fmt.pct(share),
        el("div", { class: "bar" }, el("span", { dataset: { share: share.toFixed(1) } })),
      ];
    });
    return { total, rows };
  }

  async function loadRegency() {
    try {
      const r = await K.api("scoring", "/scores/regency?year=" + year + "&organisation_predikat=" + predikatSelect.value);
      const { total, rows } = predikatRows(r);
      // The curve's rules come as English text from scoring: shown through the catalog.
      const checks = r.distribution_checks.map((c) =>
        el(
          "li",
          { class: c.breached ? "breach" : null },
          t(c.breached ? "Breached: {rule} ({share})" : "Met: {rule} ({share})", { rule: t(c.rule), share: fmt.pct(c.share * 100) })
        )
      );
      fill(
        "distribution",
        el("p", { text: t("{employees} employees in {year}; a final predikat exists for {total}.", { employees: r.employees, year: r.year, total }) }),
        K.table([t("Predikat"), t("Count"), t("Share"), ""], rows, [1, 2], regencyFile("sebaran-predikat")),
        el("h3", { text: t("Curve for an organisation rated {predikat}", { predikat: label("predikat", r.organisation_predikat) }) }),
        checks.length ? el("ul", {}, checks) : muted(t("There is no curve rule for this predikat."))
      );
      // Bar widths: set through the CSSOM (the page's policy forbids inline style attributes).
      for (const span of document.querySelectorAll("#distribution .bar span")) span.style.width = span.dataset.share + "%";
      rank("rank-ikm", r.units_by_ikm, (u) => [u.name, fmt.num(u.value), fmt.num(u.responses, 0)], [t("Work unit"), t("IKM"), t("Respondents")], "peringkat-ikm");
      rank("rank-achievement", r.units_by_achievement, (u) => [u.name, fmt.pct(u.value)], [t("Work unit"), t("Mean achievement")], "peringkat-capaian");
      people("top-performers", r.top_performers, "pegawai-terbaik");
      people("under-performers", r.under_performers || [], "pegawai-perlu-pembinaan");
      training(r);
    } catch (err) {
      fill("distribution", muted(K.errorText(err)));
      for (const id of ["rank-ikm", "rank-achievement", "top-performers", "under-performers", "training"]) fill(id, muted("–"));
    }
  }

  function rank(id, units, cells, headers, name) {
    if (!units.length) {
      fill(id, muted(t("No data yet.")));
      return;
    }
    fill(id, K.table(["#", ...headers], units.map((u, i) => [String(i + 1), ...cells(u)]), [2, 3], regencyFile(name)));
  }

  function people(id, list, name) {
    if (!list.length) {
      fill(id, muted(t("Nobody yet.")));
      return;
    }
    fill(
      id,
      K.table(
        [t("Name"), t("Work unit"), t("Final predikat"), t("Achievement")],
        list.map((p) => [p.name, unitNames.get(p.unit_id) || "–", label("predikat", p.final_predikat), fmt.pct(p.achievement)]),
        [3],
        regencyFile(name)
      )
    );
  }

  function training(r) {
    const needs = r.training_needs.length
      ? K.table(
          [t("BerAKHLAK value"), t("Rated below expectations")],
          r.training_needs.map((n) => [VALUES[n.value] ? t(VALUES[n.value]) : n.value, fmt.num(n.rated_di_bawah, 0)]),
          [1],
          regencyFile("kebutuhan-pelatihan")
        )
      : muted(t("No value was rated below expectations."));
    const advice = r.development_recommendations.length
      ? K.table([t("Development recommendation")], r.development_recommendations.map((text) => [text]), [], regencyFile("rekomendasi-pengembangan"))
      : null;
    fill("training", needs, advice ? el("h3", { text: t("Development recommendations") }) : null, advice);
  }

  async function loadMissing() {
    try {
      const page = await K.api("targets", "/skp/regency?unapproved=true&limit=500&year=" + year);
      fill(
        "missing-skp",
        page.items.length
          ? K.table(
              [t("Name"), t("Position"), t("Work unit"), t("SKP status")],
              page.items.map((m) => [m.name, m.position, unitNames.get(m.unit_id) || "–", label("skpStatus", m.status)]),
              [],
              file("pegawai-tanpa-skp-disetujui")
            )
          : muted(t("Every employee has an approved SKP for this year.")),
        page.total > page.items.length ? muted(t("{shown} of {total} employees shown.", { shown: page.items.length, total: page.total })) : null
      );
    } catch (err) {
      fill("missing-skp", muted(K.errorText(err)));
    }
  }

  async function loadUnits() {
    try {
      const page = await K.api("identity", "/units?limit=500");
      unitNames = new Map(page.items.map((u) => [u.id, u.name]));
    } catch (err) {
      /* names are decoration here: the tables show "–" */
    }
  }

  async function loadTenant() {
    try {
      const regency = await K.api("identity", "/tenant");
      fill("regency-name", "· " + regency.name);
    } catch (err) {
      /* the name is decoration */
    }
  }

  function loadAll() {
    loadRegency();
    loadMissing();
  }

  loadTenant();
  loadUnits().then(loadAll);
})();
