"use strict";
/* /pegawai: the year's SKP (drafting in employee_skp.js), its status, the return comment
   and the version history; the activity log (employee_activity.js); the scores with the
   explanation of each figure (employee_explain.js renders scoring's templates). */
(() => {
  const claims = K.guard();
  if (!claims) return;
  const { el, fill, fmt, label, badge, muted, t } = K;
  Pegawai.year = K.yearSelect("year-select", (y) => {
    Pegawai.year = y;
    loadAll();
  });

  async function loadWho() {
    try {
      const me = await K.api("identity", "/employees/" + encodeURIComponent(claims.employee_id));
      fill("who-line", me.name + " · " + me.position + " · NIP " + (me.nip || "–"));
    } catch (err) {
      fill("who-line", K.errorText(err));
    }
  }

  function rhkBlock(rhk) {
    return el(
      "div",
      { class: "rhk " + rhk.kind },
      el("h3", {}, rhk.title, " ", badge("kind", rhk.kind, "kind")),
      K.table(
        [t("Indicator"), t("Aspect"), t("Target"), t("Direction"), t("Aggregation")],
        rhk.indicators.map((i) => [i.name, label("aspect", i.aspect), fmt.num(i.target) + " " + i.unit, label("direction", i.direction), label("aggregation", i.aggregation)]),
        [2]
      )
    );
  }

  function content(rhk) {
    return ["utama", "tambahan"].map((kind) => {
      const list = rhk.filter((r) => r.kind === kind);
      return list.length ? [el("h3", { text: t("RHK {kind}", { kind: label("kind", kind) }) }), list.map(rhkBlock)] : null;
    });
  }

  async function act(button, path, body, done) {
    K.busy(button, true);
    try {
      await K.api("targets", path, { method: "POST", body });
      K.notice("page-message", done, "ok");
      await loadAll();
    } catch (err) {
      K.notice("page-message", K.errorText(err), "error");
    } finally {
      K.busy(button, false);
    }
  }

  function button(text, cls, onClick, id) {
    const node = el("button", { class: "button " + (cls || ""), type: "button", text, id });
    node.addEventListener("click", () => onClick(node));
    return node;
  }

  function nothingYet(year) {
    return [
      muted(t("No SKP for {year} yet. Draft it, or start from last year's.", { year })),
      el(
        "div",
        { class: "buttons" },
        button(t("Draft a new SKP"), "primary", (b) => act(b, "/skp", { year, rhk: [] }, t("An empty draft was created. Add your RHK.")), "skp-new"),
        button(t("Copy last year's SKP"), "", (b) => act(b, "/skp/copy", { year }, t("Last year's SKP was copied as this year's draft.")), "skp-copy")
      ),
    ];
  }

  /* The return comment (the last transition, when it was a return) and the history. */
  async function history(skp) {
    const [versions, transitions] = await Promise.all([
      K.api("targets", "/skp/" + skp.id + "/versions?limit=50"),
      K.api("targets", "/skp/" + skp.id + "/history?limit=100"),
    ]);
    const steps = transitions.items;
    const last = steps[steps.length - 1];
    const returned =
      skp.status === "draft" && last && last.action === "returned"
        ? el("div", { class: "notice", id: "return-comment", role: "note" }, el("strong", { text: t("Returned by your supervisor:") }), " ", last.comment)
        : null;
    const table = el(
      "details",
      { id: "skp-history" },
      el("summary", { text: t("Version history ({n} versions)", { n: versions.total }) }),
      K.table(
        [t("Version"), t("Status"), t("Approved on")],
        versions.items.map((v) => [String(v.version), label("skpStatus", v.status), v.approved_at ? fmt.date(v.approved_at) : "–"])
      ),
      K.table(
        [t("Date"), t("Step"), t("Version"), t("Comment")],
        steps.map((s) => [fmt.time(s.at), label("transition", s.action), String(s.version), s.comment || "–"])
      )
    );
    return { returned, table };
  }

  async function loadSkp() {
    const year = Pegawai.year;
    fill("skp-year", String(year));
    Pegawai.indicators = new Map();
    Pegawai.skp = null;
    try {
      const page = await K.api("targets", "/skp?year=" + year);
      const skp = (Pegawai.skp = page.items[0] || null);
      if (!skp) {
        fill("skp", nothingYet(year));
        return null;
      }
      const head = el(
        "p",
        { id: "skp-status" },
        t("Status:") + " ",
        badge("skpStatus", skp.status),
        " · " + t("version {n}", { n: skp.version }),
        skp.approved_version ? " · " + t("approved version {n}", { n: skp.approved_version }) : ""
      );
      // The official documents (PDF, opened in a new tab): the SKP and the year's evaluation.
      const documents = el(
        "p",
        { class: "buttons", id: "skp-documents" },
        el("a", { class: "button", id: "skp-pdf", href: "/dokumen/skp/" + encodeURIComponent(skp.id), target: "_blank", rel: "noopener" }, t("SKP (PDF)")),
        el("a", { class: "button", id: "evaluation-pdf", href: "/dokumen/evaluasi/" + encodeURIComponent(claims.employee_id) + "?periode=" + year, target: "_blank", rel: "noopener" }, t("Evaluation document (PDF)"))
      );
      const { returned, table } = await history(skp);
      const body = el("div", { id: "skp-body" });
      let actions = null;
      if (skp.status === "submitted") actions = muted(t("Waiting for your supervisor's approval."));
      if (skp.status === "approved") {
        actions = el(
          "div",
          { class: "buttons" },
          button(t("Revise the SKP"), "", (b) => act(b, "/skp/" + skp.id + "/revise", undefined, t("A new version was started; the approved one stays in force until the new one is approved.")), "skp-revise")
        );
      }
      fill("skp", head, documents, returned, actions, body, table);
      if (skp.status === "draft") await Pegawai.editor.render(body, skp, "page-message");
      else fill(body, content(skp.rhk));
      const approved = await approvedContent(skp);
      for (const r of approved || []) {
        for (const i of r.indicators) Pegawai.indicators.set(i.indicator_id, { ...i, rhk: r.title });
      }
      return approved;
    } catch (err) {
      fill("skp", el("p", { class: "errors", text: K.errorText(err) }));
      return null;
    }
  }

  async function approvedContent(found) {
    if (found.status === "approved") return found.rhk;
    if (!found.approved_version) return null;
    const version = await K.api("targets", "/skp/" + found.id + "/versions/" + found.approved_version);
    return version.rhk;
  }

  function figure(value, text, id) {
    return el("div", { class: "figure", id }, el("span", { class: "value", text: value }), el("span", { class: "label", text }));
  }

  async function loadScores() {
    const year = Pegawai.year;
    try {
      const s = await K.api("scoring", "/scores/employees/" + encodeURIComponent(claims.employee_id) + "?period=" + year);
      const ex = s.explained || {};
      // Before an approved SKP the figures are empty: their explanations would only say so.
      const explain = (key, id) => (s.rhk.length && ex[key] && ex[key].length ? el("p", { class: "explain", id, text: K.explain(ex[key]) }) : null);
      fill(
        "scores",
        el(
          "div",
          { class: "figures" },
          figure(fmt.pct(s.achievement), t("Achievement so far"), "figure-achievement"),
          figure(fmt.pct(s.projected_achievement), t("Projected at period end"), "figure-projected"),
          figure(label("predikat", s.projected_predikat), t("Projected predikat"), "figure-projected-predikat"),
          figure(label("predikat", s.final_predikat), t("Final predikat"), "figure-final-predikat")
        ),
        explain("achievement", "explain-achievement"),
        explain("projected_achievement", "explain-projected"),
        explain("projected_rating", "explain-rating"),
        explain("projected_predikat", "explain-projected-predikat"),
        explain("final_predikat", "explain-final-predikat"),
        explain("behaviour", "explain-behaviour"),
        s.rhk.length
          ? K.table(
              [t("RHK / indicator"), t("Realisation"), t("Achievement"), t("Explanation")],
              s.rhk.flatMap((r) =>
                r.indicators.map((i) => [
                  r.title + " — " + i.name,
                  fmt.num(i.realisation) + " / " + fmt.num(i.target) + " " + i.unit,
                  fmt.pct(i.achievement),
                  K.explain(i.explained),
                ])
              ),
              [1, 2]
            )
          : muted(t("Scores are computed once the SKP is approved and activities are logged."))
      );
    } catch (err) {
      const text = err instanceof K.ApiError && err.status === 404 ? t("No scores yet for {year}.", { year }) : K.errorText(err);
      fill("scores", muted(text));
    }
  }

  async function loadAll() {
    const approved = await loadSkp();
    Pegawai.activities.show(approved);
    await Promise.all([Pegawai.activities.load(), loadScores()]);
  }
  Pegawai.reload = loadAll;
  Pegawai.reloadScores = loadScores;

  loadWho();
  loadAll();
})();
