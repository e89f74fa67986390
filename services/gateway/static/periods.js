"use strict";
/* /pegawai/periode and /atasan/periode: the periods of the regency's cadence (monthly or
   quarterly, identity's tenant setting). The employee sees their periods of a year
   (scoring's /employees/{id}/periods) and one period's indicators; the supervisor the
   team's figures for one period (scoring's /team?period=). */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, t, fmt } = K;
  const dateLocale = K.locale === "en" ? "en-GB" : "id-ID";

  function periodName(label) {
    const [year, part] = label.split("-");
    if (!part) return label;
    if (part.startsWith("Q")) return t("Quarter {n} {year}", { n: part.slice(1), year });
    return new Date(Number(year), Number(part) - 1, 1).toLocaleDateString(dateLocale, { month: "long", year: "numeric" });
  }

  function labelsOf(year, cadence) {
    if (cadence === "quarterly") return [1, 2, 3, 4].map((q) => year + "-Q" + q);
    return Array.from({ length: 12 }, (_, i) => year + "-" + String(i + 1).padStart(2, "0"));
  }

  function currentLabel(cadence) {
    const now = new Date();
    const year = now.getFullYear();
    if (cadence === "quarterly") return year + "-Q" + (Math.floor(now.getMonth() / 3) + 1);
    return year + "-" + String(now.getMonth() + 1).padStart(2, "0");
  }

  const final = (value) => (value ? K.badge("predikat", value) : K.muted(t("Not assessed yet")));

  // ------------------------------------------------------------ the employee

  async function employeePage() {
    const select = document.getElementById("period-year");
    const year = K.yearSelect("period-year", load);

    async function detail(period) {
      const card = document.getElementById("period-card");
      card.hidden = false;
      fill("period-title", t("Indicators of {period}", { period: periodName(period) }));
      try {
        const score = await K.api("scoring", "/scores/employees/" + me.employee_id + "?period=" + period);
        const rows = score.rhk.flatMap((rhk) =>
          rhk.indicators.map((i) => [i.name, fmt.num(i.target) + " " + i.unit, fmt.num(i.realisation), fmt.num(i.expected_to_date), fmt.pct(i.achievement), fmt.pct(i.projected_achievement)])
        );
        fill(
          "period-detail",
          rows.length
            ? K.table([t("Indicator"), t("Target of the period"), t("Realisation"), t("Expected to date"), t("Achievement"), t("Projected")], rows, [1, 2, 3, 4, 5], { csv: "periode-" + period })
            : K.muted(t("No approved SKP for this year yet."))
        );
      } catch (err) {
        fill("period-detail", K.muted(K.errorText(err)));
      }
    }

    async function load(chosen) {
      try {
        const data = await K.api("scoring", "/scores/employees/" + me.employee_id + "/periods?year=" + chosen);
        fill(
          "periods",
          K.table(
            [t("Period"), t("Dates"), t("Period passed"), t("Achievement"), t("Projected"), t("Projected predikat"), t("Final predikat"), { label: t("Action"), csv: false }],
            data.periods.map((p) => [
              el("span", { text: periodName(p.period) }, p.current ? " " : null, p.current ? el("span", { class: "badge", text: t("now") }) : null),
              fmt.date(p.start) + " – " + fmt.date(p.end),
              p.elapsed_share === null ? "–" : fmt.pct(p.elapsed_share * 100),
              fmt.pct(p.achievement),
              fmt.pct(p.projected_achievement),
              p.projected_predikat ? K.badge("predikat", p.projected_predikat) : "–",
              final(p.final_predikat),
              el("button", { class: "button small", type: "button", "data-period": p.period, text: t("Details"), "aria-label": t("Details of {period}", { period: periodName(p.period) }) }),
            ]),
            [2, 3, 4],
            { csv: "periode-" + chosen }
          )
        );
      } catch (err) {
        fill("periods", K.muted(K.errorText(err)));
      }
    }

    document.getElementById("periods").addEventListener("click", (event) => {
      const button = event.target.closest("[data-period]");
      if (button) detail(button.dataset.period);
    });
    select.value = String(year);
    load(year);
  }

  // ------------------------------------------------------------ the supervisor

  async function supervisorPage() {
    const select = document.getElementById("team-period");
    let cadence = "monthly";
    try {
      cadence = (await K.api("identity", "/tenant")).settings.evaluation_cadence;
    } catch (err) {
      /* the default cadence; the table below says what failed, if anything */
    }
    const now = currentLabel(cadence);
    const year = Number(now.slice(0, 4));
    fill(select, labelsOf(year, cadence).map((label) => el("option", { value: label, text: periodName(label), selected: label === now })));

    async function load() {
      try {
        const team = await K.api("scoring", "/scores/team?limit=200&period=" + select.value);
        fill(
          "team-periods",
          team.items.length
            ? K.table(
                [t("Name"), t("Achievement"), t("Projected"), t("Projected predikat"), t("Final predikat")],
                team.items.map((m) => [
                  el("a", { href: "/atasan/pegawai?id=" + encodeURIComponent(m.employee_id), text: m.name }),
                  fmt.pct(m.achievement),
                  fmt.pct(m.projected_achievement),
                  m.projected_predikat ? K.badge("predikat", m.projected_predikat) : "–",
                  final(m.final_predikat),
                ]),
                [1, 2],
                { csv: "tim-" + select.value }
              )
            : K.muted(t("Nobody in your team yet."))
        );
      } catch (err) {
        fill("team-periods", K.muted(K.errorText(err)));
      }
    }

    select.addEventListener("change", load);
    load();
  }

  if (document.getElementById("periods")) employeePage();
  if (document.getElementById("team-periods")) supervisorPage();
})();
