"use strict";
/* /atasan/pegawai?id=…: one person of the team. Their alerts, scores with projections and
   explanations, the SKP, the activity log, the assessment form, peer assessment requests
   and feedback notes. The team list says who may be opened here (the services refuse the
   rest anyway). */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, fmt, label, badge, muted, t } = K;
  const id = new URLSearchParams(window.location.search).get("id") || "";
  const year = new Date().getFullYear();

  function figure(value, text) {
    return el("div", { class: "figure" }, el("span", { class: "value", text: value }), el("span", { class: "label", text }));
  }

  async function findMember() {
    const page = await K.api("targets", "/skp/team?limit=200&year=" + year);
    return page.items.find((m) => m.employee_id === id) || null;
  }

  /* The approved content (what assessment rates), even while a revision is drafted. */
  async function approvedRhk(member) {
    if (!member.skp_id || !member.approved_version) return { skp: null, rhk: [] };
    const skp = await K.api("targets", "/skp/" + encodeURIComponent(member.skp_id));
    if (skp.version === skp.approved_version) return { skp, rhk: skp.rhk };
    const approved = await K.api("targets", "/skp/" + encodeURIComponent(skp.id) + "/versions/" + skp.approved_version);
    return { skp, rhk: approved.rhk };
  }

  function showSkp(member, skp, rhk) {
    if (!skp) {
      fill("skp", el("p", {}, badge("skpStatus", member.status), " ", t("No approved SKP for {year} yet.", { year })));
      return;
    }
    fill(
      "skp",
      el("p", {}, badge("skpStatus", skp.status)),
      rhk.map(S.rhkBlock)
    );
  }

  async function loadScore() {
    try {
      return await K.api("scoring", "/scores/employees/" + encodeURIComponent(id) + "?period=" + year);
    } catch (err) {
      if (!(err instanceof K.ApiError && err.status === 404)) fill("scores", muted(K.errorText(err)));
      return null;
    }
  }

  function showScore(s) {
    if (!s) {
      if (!document.querySelector("#scores .errors, #scores p:not(.muted)")) fill("scores", muted(t("No scores for {year} yet.", { year })));
      return;
    }
    const ex = s.explanations || {};
    fill(
      "scores",
      el(
        "div",
        { class: "figures" },
        figure(fmt.pct(s.achievement), t("Achievement now")),
        figure(fmt.pct(s.projected_achievement), t("Projected at period end")),
        figure(label("predikat", s.projected_predikat), t("Projected predikat")),
        figure(label("predikat", s.final_predikat), t("Final predikat"))
      ),
      [ex.achievement, ex.projected_achievement, ex.projected_rating, ex.projected_predikat, ex.final_predikat, ex.behaviour]
        .filter(Boolean)
        .map((text) => el("p", { class: "explain", text })),
      s.rhk.length
        ? K.table(
            [t("RHK / indicator"), t("Realisation"), t("Projection"), t("Explanation")],
            s.rhk.flatMap((r) =>
              r.indicators.map((i) => [
                r.title + " — " + i.name,
                fmt.num(i.realisation) + " / " + fmt.num(i.target) + " " + i.unit,
                fmt.pct(i.projected_achievement),
                i.explanation,
              ])
            ),
            [1, 2]
          )
        : null
    );
  }

  async function loadActivities(rhk) {
    const names = new Map(rhk.flatMap((r) => r.indicators.map((i) => [i.indicator_id, i.name])));
    try {
      const page = await K.api("targets", "/activities?limit=50&employee_id=" + encodeURIComponent(id));
      const live = page.items.filter((a) => !a.deleted);
      fill(
        "activities",
        live.length
          ? K.table(
              [t("Date"), t("Indicator"), t("Amount / value"), t("Note")],
              live.map((a) => [fmt.date(a.activity_date), names.get(a.indicator_id) || t("(earlier indicator)"), fmt.num(a.value), a.note || "–"]),
              [2]
            )
          : muted(t("No activity logged yet."))
      );
    } catch (err) {
      S.failed("activities", err);
    }
  }

  async function loadAlerts() {
    const list = document.getElementById("person-alerts");
    try {
      const history = await K.api("gateway", "/alerts");
      const about = S.standing(history).filter((a) => a.subject_id === id).reverse();
      fill(list, about.length ? about.map((a) => S.alertItem(a)) : el("li", { class: "muted empty", text: t("No alerts about this person.") }));
    } catch (err) {
      fill(list, el("li", { class: "muted", text: K.errorText(err) }));
    }
  }

  // ------------------------------------------------------------ peer requests

  async function loadPeers(member, periods) {
    try {
      const [colleagues, requests] = await Promise.all([
        K.api("identity", "/employees?limit=200&unit_id=" + encodeURIComponent(member.unit_id)),
        K.api("assessment", "/peer-requests?limit=200"),
      ]);
      const mine = requests.items.filter((r) => r.assessee_id === id);
      const candidates = colleagues.items.filter((c) => c.id !== id && c.id !== me.employee_id);
      const rows = await Promise.all(
        mine.map(async (r) => [await S.nameOf(r.peer_id), r.period_label, r.status === "submitted" ? t("Submitted") : t("Waiting")])
      );
      const form = el("form", { id: "peer-form", class: "form grid", novalidate: true });
      const message = el("div", { class: "notice", hidden: true, role: "status" });
      const peer = el(
        "select",
        { name: "peer_id", required: true },
        el("option", { value: "", text: t("Choose a colleague") }),
        candidates.map((c) => el("option", { value: c.id, text: c.name + (c.position ? " · " + c.position : "") }))
      );
      const submit = el("button", { class: "button", type: "submit", text: t("Ask for a peer assessment") });
      fill(form, el("label", {}, t("Colleague of the same unit"), peer), el("label", {}, t("Period"), S.periodSelect("period", periods)), message, submit);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        K.form.clear(form);
        if (!peer.value) {
          K.notice(message, t("Choose a colleague."), "error");
          return;
        }
        K.busy(submit, true);
        try {
          const body = { period: form.querySelector('[name="period"]').value, assessee_id: id, peer_id: peer.value };
          await K.api("assessment", "/peer-requests", { method: "POST", body });
          K.notice("page-message", t("A peer assessment of {name} was requested.", { name: member.name }), "ok");
          loadPeers(member, periods);
        } catch (err) {
          K.form.errors(form, err, message);
          K.busy(submit, false);
        }
      });
      fill(
        "peers",
        rows.length ? K.table([t("Colleague"), t("Period"), t("Status")], rows) : muted(t("No peer assessment requested yet.")),
        candidates.length ? form : muted(t("Nobody else works in this unit."))
      );
    } catch (err) {
      S.failed("peers", err);
    }
  }

  // ------------------------------------------------------------ feedback notes

  async function loadFeedback(member) {
    try {
      const page = await K.api("assessment", "/feedback-notes?limit=50&employee_id=" + encodeURIComponent(id));
      const form = el("form", { id: "feedback-form", class: "form", novalidate: true });
      const message = el("div", { class: "notice", hidden: true, role: "status" });
      const text = el("textarea", { name: "text", rows: 3, maxlength: 2000, required: true });
      const submit = el("button", { class: "button primary", type: "submit", text: t("Save the note") });
      fill(form, el("label", {}, t("A note to {name}", { name: member.name }), text), message, submit);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        K.form.clear(form);
        if (!text.value.trim()) {
          K.notice(message, t("Write the note first."), "error");
          return;
        }
        K.busy(submit, true);
        try {
          await K.api("assessment", "/feedback-notes", { method: "POST", body: { employee_id: id, text: text.value.trim() } });
          K.notice("page-message", t("The note to {name} is saved.", { name: member.name }), "ok");
          loadFeedback(member);
        } catch (err) {
          K.form.errors(form, err, message);
          K.busy(submit, false);
        }
      });
      fill(
        "feedback",
        page.items.length
          ? el("ul", { class: "timeline notes" }, page.items.map((n) => el("li", {}, el("time", { datetime: n.noted_on, text: fmt.date(n.noted_on) }), el("p", { text: n.text }))))
          : muted(t("No notes yet.")),
        form
      );
    } catch (err) {
      S.failed("feedback", err);
    }
  }

  async function start() {
    let member;
    try {
      member = await findMember();
    } catch (err) {
      K.notice("page-message", K.errorText(err), "error");
      return;
    }
    if (!member) {
      fill("person-name", t("Not in your team"));
      fill("person-line", t("This person does not report to you directly. Open your team from the list."));
      return;
    }
    fill("person-name", member.name);
    fill("person-line", member.position);
    document.title = member.name + " · Kinerja";
    document.getElementById("person").hidden = false;
    const [{ skp, rhk }, score, periods] = await Promise.all([
      approvedRhk(member).catch((err) => {
        S.failed("skp", err);
        return { skp: null, rhk: [] };
      }),
      loadScore(),
      S.periods().catch(() => []),
    ]);
    showSkp(member, skp, rhk);
    showScore(score);
    SupervisorAssess.render(document.getElementById("assess"), { member, rhk, score, periods });
    await Promise.all([loadAlerts(), loadActivities(rhk), loadPeers(member, periods), loadFeedback(member)]);
  }

  start();
})();
