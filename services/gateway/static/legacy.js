"use strict";
/* The legacy PP 46/2011 score (TPP), shared by the employee's and BKPSDM's pages: the
   period choice (the year or one of its months) and the words of the score. Scoring's
   /scores/legacy routes answer 404 when the regency has not enabled it: the section then
   stays hidden. Loaded after app.js (and employee_explain.js on the employee page). */
K.legacy = (() => {
  const { el, fill, fmt, t } = K;
  // Month names from the browser's own calendar data, in the page's language.
  const MONTH_LOCALE = document.documentElement.lang === "en" ? "en-GB" : "id-ID";
  const ASPECTS = ["kuantitas", "kualitas", "waktu", "biaya"];

  /* Fill a <select> with the year and its twelve months (TPP periods). */
  function periods(select, year) {
    const keep = select.value;
    fill(
      select,
      el("option", { value: String(year), text: t("The whole year {year}", { year }) }),
      Array.from({ length: 12 }, (_, i) => {
        const value = year + "-" + String(i + 1).padStart(2, "0");
        return el("option", { value, text: new Date(year, i, 1).toLocaleDateString(MONTH_LOCALE, { month: "long", year: "numeric" }) });
      })
    );
    if (keep && keep.startsWith(String(year))) select.value = keep;
    return select.value;
  }

  /* The headline figures of one score, as a definition list. */
  function figures(score) {
    const row = (term, value) => [el("dt", { text: term }), el("dd", { text: value })];
    return el(
      "dl",
      { class: "figures legacy-figures" },
      row(t("SKP score"), fmt.num(score.skp_score)),
      row(t("Behaviour score"), fmt.num(score.behaviour_score)),
      row(t("Total"), fmt.num(score.total)),
      row(t("Band"), score.band || "–")
    );
  }

  /* Each task's aspects and score. */
  function tasks(score) {
    if (!score.tasks.length) return K.muted(t("No approved SKP for this period."));
    return K.table(
      [t("RHK"), ...ASPECTS.map((a) => K.label("aspect", a)), t("Task score")],
      score.tasks.map((task) => [task.title, ...ASPECTS.map((a) => (a in task.aspects ? fmt.num(task.aspects[a]) : "–")), fmt.num(task.score)]),
      [1, 2, 3, 4, 5]
    );
  }

  /* The page's legacy card: `show(period)` fills #legacy for the chosen period (the year
     select's year, or one of its months); a 404 (not enabled) hides the card. */
  function section(show) {
    const card = document.getElementById("legacy-card");
    const period = document.getElementById("legacy-period");
    const yearSelect = document.getElementById("year-select");
    async function load() {
      try {
        await show(periods(period, Number(yearSelect.value)));
        card.hidden = false;
      } catch (err) {
        card.hidden = err instanceof K.ApiError && err.status === 404;
        fill("legacy", K.muted(K.errorText(err)));
      }
    }
    period.addEventListener("change", load);
    yearSelect.addEventListener("change", load);
    load();
  }

  return { periods, figures, tasks, section };
})();
