"use strict";
/* /rekan: peer assessments asked of the reader. Each open request gets a form rating the
   seven BerAKHLAK values; the assessed colleague never learns who wrote it (the service
   shows them counts only). */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, muted, t } = K;

  async function requestCard(request) {
    const name = await S.nameOf(request.assessee_id);
    const head = el("h3", { text: t("{name} · period {label}", { name, label: request.period_label }) });
    if (request.status === "submitted") {
      return el("article", { class: "review peer-request done", dataset: { assessee: name } }, head, el("p", { class: "muted", text: t("Submitted. Thank you.") }));
    }
    const form = el("form", { class: "form peer-form", novalidate: true });
    const message = el("div", { class: "notice", hidden: true, role: "status" });
    const submit = el("button", { class: "button primary", type: "submit", text: t("Submit the peer assessment") });
    fill(form, el("fieldset", { class: "group" }, el("legend", { text: t("Perilaku Kerja (BerAKHLAK)") }), S.valueFields("value-")), message, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      K.form.clear(form);
      const empty = [...form.querySelectorAll("select[required]")].filter((s) => !s.value);
      if (empty.length) {
        for (const s of empty) s.setAttribute("aria-invalid", "true");
        K.notice(message, t("Choose a rating for every value."), "error");
        empty[0].focus();
        return;
      }
      const body = {
        period: request.period_label,
        relation: "peer",
        assessee_id: request.assessee_id,
        behaviour_ratings: S.chosen(form, "value-", Object.keys(S.VALUES)),
      };
      K.busy(submit, true);
      try {
        await K.api("assessment", "/assessments", { method: "POST", body });
        K.notice("page-message", t("Your peer assessment of {name} is saved.", { name }), "ok");
        load();
      } catch (err) {
        K.form.errors(form, err, message);
        K.busy(submit, false);
      }
    });
    return el("article", { class: "review peer-request", dataset: { assessee: name } }, head, form);
  }

  async function load() {
    try {
      const page = await K.api("assessment", "/peer-requests?limit=100");
      const mine = page.items.filter((r) => r.peer_id === me.employee_id);
      mine.sort((a, b) => (a.status === b.status ? 0 : a.status === "requested" ? -1 : 1));
      fill("requests", mine.length ? await Promise.all(mine.map(requestCard)) : muted(t("Nobody has asked you for a peer assessment.")));
    } catch (err) {
      S.failed("requests", err);
    }
  }

  load();
})();
