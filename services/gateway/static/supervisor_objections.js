"use strict";
/* Objections (keberatan) to decide, as the assessing supervisor's own supervisor (or the
   kepala daerah): who objects, against whose assessment, why; accept (optionally with new
   ratings) or reject, with a reason. The decision is final. */
const SupervisorObjections = (() => {
  const { el, fill, fmt, label, muted, t } = K;

  function decisionForm(objection, people, onDone) {
    const form = el("form", { class: "form decide", novalidate: true, dataset: { objectionId: objection.id } });
    const message = el("div", { class: "notice", hidden: true, role: "status" });
    const choice = el(
      "fieldset",
      { class: "choices two" },
      el("legend", { text: t("Decision") }),
      el("label", {}, el("input", { type: "radio", name: "accepted", value: "yes" }), t("Accept the objection")),
      el("label", {}, el("input", { type: "radio", name: "accepted", value: "no" }), t("Reject the objection"))
    );
    const changes = el(
      "details",
      { class: "changes" },
      el("summary", { text: t("New ratings when accepted (optional)") }),
      S.ratingSelect("result_rating", t("Overall Hasil Kerja"), { optional: true }),
      S.valueFields("value-", { optional: true })
    );
    const reason = el("textarea", { name: "reason", rows: 3, maxlength: 2000, required: true });
    const submit = el("button", { class: "button primary", type: "submit", text: t("Decide") });
    fill(form, choice, changes, el("label", {}, t("Reason of the decision"), reason), message, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      K.form.clear(form);
      const picked = form.querySelector('input[name="accepted"]:checked');
      if (!picked || !reason.value.trim()) {
        K.notice(message, t("Choose accept or reject and write the reason."), "error");
        return;
      }
      const accepted = picked.value === "yes";
      const body = { accepted, reason: reason.value.trim() };
      if (accepted) {
        const result = form.querySelector('[name="result_rating"]').value;
        if (result) body.result_rating = result;
        body.behaviour_ratings = S.chosen(form, "value-", Object.keys(S.VALUES));
      }
      K.busy(submit, true);
      try {
        await K.api("assessment", "/objections/" + encodeURIComponent(objection.id) + "/decision", { method: "POST", body });
        K.notice(
          "page-message",
          accepted
            ? t("The objection of {name} is accepted.", { name: people.employee })
            : t("The objection of {name} is rejected.", { name: people.employee }),
          "ok"
        );
        onDone();
      } catch (err) {
        K.form.errors(form, err, message);
        K.busy(submit, false);
      }
    });
    return form;
  }

  async function card(objection, onDone) {
    const [employee, assessor] = await Promise.all([S.nameOf(objection.employee_id), S.nameOf(objection.assessor_id)]);
    let assessed = null;
    try {
      assessed = await K.api("assessment", "/assessments/" + encodeURIComponent(objection.assessment_id));
    } catch (err) {
      assessed = null; // the decision form still works; only the summary is missing
    }
    const people = { employee, assessor };
    return el(
      "article",
      { class: "objection review", dataset: { employee: employee } },
      el("h3", { text: t("{name} objects", { name: employee }) }),
      el(
        "p",
        { class: "small" },
        t("Assessed by {assessor}; filed {date}.", { assessor, date: fmt.date(objection.filed_at) }),
        assessed
          ? " " +
              t("Period {label}: Hasil Kerja {rating}.", {
                label: assessed.period.label,
                rating: label("rating", assessed.final_result_rating || assessed.result_rating),
              })
          : ""
      ),
      el("blockquote", { class: "reason", text: objection.reason }),
      decisionForm(objection, people, onDone)
    );
  }

  async function load(target, me) {
    try {
      const page = await K.api("assessment", "/objections?status=pending&limit=100");
      // Listed here are the ones filed by others about assessments written by others:
      // those are this reader's to decide (the service refuses anyone else).
      const mine = page.items.filter((o) => o.employee_id !== me.employee_id && o.assessor_id !== me.employee_id);
      if (!mine.length) {
        fill(target, muted(t("No objection is waiting for your decision.")));
        return;
      }
      const reload = () => load(target, me);
      fill(target, await Promise.all(mine.map((o) => card(o, reload))));
    } catch (err) {
      fill(target, muted(K.errorText(err)));
    }
  }

  return { load };
})();
