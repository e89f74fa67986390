"use strict";
/* /pegawai/penilaian: the self-assessment with the periodic report, the supervisor's final
   assessment with the objection (keberatan, within 14 days) and its decision, the feedback
   notes received, and the employee's own IKM and the complaints that name them (counts and
   states only: never who filed them). */
(() => {
  const claims = K.guard();
  if (!claims) return;
  const { el, fill, fmt, label, muted, t } = K;
  const me = claims.employee_id;
  const OBJECTION_DAYS = 14;
  K.LABELS.objection = { pending: t("Waiting for the decision"), accepted: t("Accepted"), rejected: t("Rejected") };
  K.LABELS.periodKind = { monthly: t("monthly"), quarterly: t("quarterly"), annual: t("annual") };
  const periodText = (p) => p.label + " (" + label("periodKind", p.kind) + ")";

  // ---------------------------------------------------------------- self-assessment
  const selfForm = document.getElementById("self-form");

  async function loadPeriods() {
    try {
      const periods = await K.api("assessment", "/periods");
      fill("self-period", periods.map((p) => el("option", { value: p.label, text: periodText(p) })));
    } catch (err) {
      K.notice("self-message", K.errorText(err), "error");
    }
  }

  async function loadSelf() {
    try {
      const page = await K.api("assessment", "/assessments?relation=self&assessee_id=" + encodeURIComponent(me));
      fill(
        "self-list",
        page.items.length
          ? K.table(
              [t("Period"), t("Sent"), t("Achievements"), t("Obstacles"), t("Solutions applied")],
              page.items.map((a) => [periodText(a.period), fmt.time(a.submitted_at), (a.report && a.report.achievements) || "–", (a.report && a.report.obstacles) || "–", (a.report && a.report.solutions) || "–"])
            )
          : muted(t("No self-assessment sent yet."))
      );
    } catch (err) {
      fill("self-list", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  selfForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const button = selfForm.querySelector("button[type=submit]");
    K.busy(button, true);
    try {
      await K.api("assessment", "/assessments", {
        method: "POST",
        body: {
          period: value("self-period"),
          relation: "self",
          assessee_id: me,
          report: { achievements: value("self-achievements"), obstacles: value("self-obstacles"), solutions: value("self-solutions") },
        },
      });
      K.form.clear(selfForm);
      K.notice("self-message", t("Your self-assessment was sent."), "ok");
      await loadSelf();
    } catch (err) {
      K.form.errors(selfForm, err, "self-message");
    } finally {
      K.busy(button, false);
    }
  });

  // ---------------------------------------------------------------- final and objection

  function objectionForm(assessment) {
    const id = "objection-reason";
    const form = el(
      "form",
      { class: "form grid", id: "objection-form", novalidate: true },
      el("label", { class: "wide" }, t("Why do you object? (keberatan)"), el("textarea", { id, name: "reason", rows: 3, maxlength: 4000 })),
      el("button", { class: "button primary", type: "submit", text: t("File the objection") })
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      K.busy(button, true);
      try {
        await K.api("assessment", "/objections", { method: "POST", body: { assessment_id: assessment.id, reason: document.getElementById(id).value.trim() } });
        K.notice("objection-message", t("Your objection was filed. Your supervisor's supervisor decides it."), "ok");
        await loadFinal();
      } catch (err) {
        K.form.errors(form, err, "objection-message");
        K.busy(button, false);
      }
    });
    return form;
  }

  async function loadFinal() {
    try {
      const [assessments, objections, score] = await Promise.all([
        K.api("assessment", "/assessments?relation=supervisor&assessee_id=" + encodeURIComponent(me)),
        K.api("assessment", "/objections?limit=50"),
        K.api("scoring", "/scores/employees/" + encodeURIComponent(me)).catch(() => null),
      ]);
      const mine = objections.items.filter((o) => o.employee_id === me);
      const objected = new Set(mine.map((o) => o.assessment_id));
      const annual = assessments.items.filter((a) => a.period.kind === "annual");
      const blocks = annual.map((a) => {
        const days = (Date.now() - new Date(a.submitted_at).getTime()) / 86400000;
        const open = !objected.has(a.id) && days <= OBJECTION_DAYS;
        return el(
          "div",
          { class: "final-assessment" },
          el("h3", { text: t("Annual assessment {period}", { period: a.period.label }) }),
          K.table(
            [t("Hasil Kerja"), t("Sent on"), t("Objection until")],
            [[label("rating", a.final_result_rating || a.result_rating), fmt.date(a.submitted_at), fmt.date(new Date(new Date(a.submitted_at).getTime() + OBJECTION_DAYS * 86400000).toISOString())]]
          ),
          open ? objectionForm(a) : null
        );
      });
      const predikat =
        score && score.final_predikat
          ? el(
              "div",
              { id: "final-predikat" },
              el("p", {}, el("strong", { text: t("Final predikat:") + " " }), el("span", { id: "final-predikat-value", text: label("predikat", score.final_predikat) })),
              el("p", { class: "explain", id: "final-predikat-explain", text: K.explain(score.explained.final_predikat) })
            )
          : null;
      fill("final", predikat, blocks.length ? blocks : muted(t("Your supervisor has not given the annual assessment yet.")));
      fill(
        "objections",
        mine.length
          ? [
              el("h3", { text: t("My objections") }),
              K.table(
                [t("Filed"), t("Reason"), t("Status"), t("Decision"), t("Hasil Kerja after the decision")],
                mine.map((o) => [fmt.date(o.filed_at), o.reason, label("objection", o.status), o.decided_at ? fmt.date(o.decided_at) + ": " + o.decision_reason : "–", o.result_rating ? label("rating", o.result_rating) : "–"])
              ),
            ]
          : null
      );
    } catch (err) {
      fill("final", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  // ---------------------------------------------------------------- notes and service

  async function loadNotes() {
    try {
      const page = await K.api("assessment", "/feedback-notes?limit=50&employee_id=" + encodeURIComponent(me));
      const received = page.items.filter((n) => n.employee_id === me);
      fill("notes", received.length ? K.table([t("Date"), t("Note")], received.map((n) => [fmt.date(n.noted_on), n.text])) : muted(t("No feedback notes yet.")));
    } catch (err) {
      fill("notes", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  async function loadService() {
    try {
      const [score, complaints] = await Promise.all([
        K.api("scoring", "/scores/employees/" + encodeURIComponent(me)).catch(() => null),
        K.api("feedback", "/complaints/naming-me"),
      ]);
      const ikm = score && score.ikm !== null ? fmt.num(score.ikm, 2) + " (" + score.ikm_category + ")" : t("not enough surveys yet");
      fill(
        "service",
        el("p", { id: "my-ikm" }, el("strong", { text: t("My IKM:") + " " }), ikm, score ? " · " + t("{n} surveys", { n: score.survey_count }) : ""),
        score ? el("p", { class: "explain", text: K.explain(score.explained.ikm) }) : null,
        el("p", { id: "complaints-naming-me" }, el("strong", { text: t("Complaints that name me:") + " " }), String(complaints.total)),
        complaints.total
          ? K.table([t("State"), t("Number")], Object.entries(complaints.by_status).map(([s, n]) => [label("complaintStatus", s), String(n)]), [1])
          : null
      );
    } catch (err) {
      fill("service", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  loadPeriods();
  loadSelf();
  loadFinal();
  loadNotes();
  loadService();
})();
