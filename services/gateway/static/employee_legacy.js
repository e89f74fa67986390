"use strict";
/* /pegawai: my legacy PP 46/2011 score (TPP) for the year or a month, with each task's
   aspects and how the score was computed (scoring's explanation in the reader's language).
   Hidden when the regency has not enabled it. */
(() => {
  const claims = K.guard();
  if (!claims || !claims.employee_id) return;
  K.legacy.section(async (period) => {
    const score = await K.api("scoring", "/scores/legacy/employees/" + encodeURIComponent(claims.employee_id) + "?period=" + period);
    K.fill("legacy", K.legacy.figures(score), K.el("p", { class: "explain", id: "legacy-explained", text: K.explain(score.explained) }), K.legacy.tasks(score));
  });
})();
