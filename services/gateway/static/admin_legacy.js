"use strict";
/* /admin: every employee's legacy PP 46/2011 score (TPP) for the year or a month, how it
   is computed, and its download (XLSX or CSV). Hidden when the regency has not enabled it
   (scoring answers 404). Words in gateway_admin.po. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, fmt, t } = K;
  const METHOD = [
    "PP 46/2011: each task (RHK) scores the mean of its aspects: quantity and quality as realisation / target x 100, time and cost by the regulation's efficiency formula.",
    "Total = 60% of the SKP score + 40% of the behaviour score, the mean of the seven BerAKHLAK ratings in the regency's points (Settings).",
  ];

  K.legacy.section(async (period) => {
    const page = await K.api("scoring", "/scores/legacy/regency?limit=500&period=" + period);
    fill(
      "legacy",
      el("p", { class: "muted small", id: "legacy-method", text: METHOD.map((m) => t(m)).join(" ") }),
      page.items.length
        ? K.table(
            [t("Name"), t("NIP"), t("Work unit"), t("SKP score"), t("Behaviour score"), t("Total"), t("Band")],
            page.items.map((s) => [s.name, s.nip, s.unit_name || "–", fmt.num(s.skp_score), fmt.num(s.behaviour_score), fmt.num(s.total), s.band || "–"]),
            [3, 4, 5],
            { export: { table: "nilai-pp46", params: { period } } }
          )
        : K.muted(t("No data yet.")),
      page.total > page.items.length ? K.muted(t("{shown} of {total} employees shown.", { shown: page.items.length, total: page.total })) : null
    );
  });
})();
