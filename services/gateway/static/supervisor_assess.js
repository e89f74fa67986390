"use strict";
/* The supervisor assessment form of one person: one rating per RHK of the approved SKP,
   the overall Hasil Kerja, the seven BerAKHLAK values (each with an optional special
   expectation), and a development recommendation. The projected figures stand beside the
   ratings as a hint; no rating is ever pre-chosen. */
const SupervisorAssess = (() => {
  const { el, fill, fmt, label, muted, t } = K;

  function projectionHint(achievement, projected, rating) {
    if (projected === null || projected === undefined) return t("No projection yet");
    const text = t("Projected {pct} (achievement so far {now})", { pct: fmt.pct(projected), now: fmt.pct(achievement) });
    return rating ? text + " · " + label("rating", rating) : text;
  }

  function lastLine(found) {
    if (!found) return muted(t("Not assessed yet for this period."));
    return el(
      "p",
      { class: "notice ok" },
      t("Assessed on {date}: Hasil Kerja {rating}.", {
        date: fmt.date(found.submitted_at),
        rating: label("rating", found.final_result_rating || found.result_rating),
      })
    );
  }

  async function current(member, period) {
    const query =
      "/assessments?relation=supervisor&limit=1&assessee_id=" + encodeURIComponent(member.employee_id) + "&period=" + encodeURIComponent(period);
    const page = await K.api("assessment", query);
    return page.items[0] || null;
  }

  /* target: the container; member: the team row; rhk: the approved RHK; score: scoring's
     figures for the year (or null); periods: the running assessment periods. */
  function render(target, { member, rhk, score, periods }) {
    if (!rhk.length) {
      fill(target, muted(t("{name} has no approved SKP yet: there is nothing to assess.", { name: member.name })));
      return;
    }
    const byRhk = new Map(((score && score.rhk) || []).map((r) => [r.rhk_id, r]));
    const form = el("form", { id: "assess-form", class: "form", novalidate: true });
    const message = el("div", { id: "assess-message", class: "notice", hidden: true, role: "status" });
    const period = S.periodSelect("period", periods);
    const last = el("div", { id: "assess-last" });
    const rhkFields = rhk.map((r) => {
      const s = byRhk.get(r.rhk_id);
      const hint = s ? projectionHint(s.achievement, s.projected_achievement) : t("No projection yet");
      return el(
        "div",
        { class: "rhk " + r.kind },
        S.ratingSelect("rhk-" + r.rhk_id, r.title + " (" + label("kind", r.kind) + ")", { hint })
      );
    });
    const overallHint = score
      ? projectionHint(score.achievement, score.projected_achievement, score.projected_rating)
      : t("No projection yet");
    const recommendation = el("textarea", { name: "development_recommendation", rows: 3, maxlength: 2000 });
    const submit = el("button", { class: "button primary", type: "submit", text: t("Submit the assessment") });
    fill(
      form,
      el("label", {}, t("Period"), period),
      last,
      el("fieldset", { class: "group" }, el("legend", { text: t("Hasil Kerja per RHK") }), rhkFields),
      el(
        "fieldset",
        { class: "group" },
        el("legend", { text: t("Overall Hasil Kerja") }),
        S.ratingSelect("result_rating", t("Overall Hasil Kerja rating"), { hint: overallHint })
      ),
      el("fieldset", { class: "group" }, el("legend", { text: t("Perilaku Kerja (BerAKHLAK)") }), S.valueFields("value-", { expectations: true })),
      el("label", {}, t("Development recommendation (optional)"), recommendation),
      message,
      submit
    );
    fill(target, form);

    async function showLast() {
      try {
        fill(last, lastLine(await current(member, period.value)));
      } catch (err) {
        fill(last, muted(K.errorText(err)));
      }
    }
    period.addEventListener("change", showLast);
    showLast();

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      K.form.clear(form);
      const rhkRatings = S.chosen(form, "rhk-", rhk.map((r) => r.rhk_id));
      const values = S.chosen(form, "value-", Object.keys(S.VALUES));
      const result = form.querySelector('[name="result_rating"]').value;
      const empty = [...form.querySelectorAll("select[required]")].filter((s) => !s.value);
      if (empty.length) {
        for (const s of empty) s.setAttribute("aria-invalid", "true");
        K.notice(message, t("Choose a rating for every RHK, the overall Hasil Kerja and every value."), "error");
        empty[0].focus();
        return;
      }
      const expectations = {};
      for (const key of Object.keys(S.VALUES)) {
        const text = form.querySelector('[name="expect-' + key + '"]').value.trim();
        if (text) expectations[key] = text;
      }
      const body = {
        period: period.value,
        relation: "supervisor",
        assessee_id: member.employee_id,
        rhk_ratings: rhkRatings,
        result_rating: result,
        behaviour_ratings: values,
        special_expectations: expectations,
        development_recommendation: recommendation.value.trim(),
      };
      K.busy(submit, true);
      try {
        const saved = await K.api("assessment", "/assessments", { method: "POST", body });
        K.notice(message, t("The assessment of {name} for {label} is saved.", { name: member.name, label: saved.period.label }), "ok");
        fill(last, lastLine(saved));
      } catch (err) {
        K.form.errors(form, err, message);
      } finally {
        K.busy(submit, false);
      }
    });
  }

  return { render };
})();
