"use strict";
/* What the supervisor pages share (/atasan, /atasan/pegawai, /rekan): the rating scale,
   the seven BerAKHLAK values, rating pickers that never pre-choose, people's names from
   identity (ids never shown), where an alert leads, and marking an alert read. */
const S = (() => {
  const { el, t } = K;

  const RATINGS = ["di_atas", "sesuai", "di_bawah"];
  // The seven core values, in the order of the regulation.
  const VALUES = {
    berorientasi_pelayanan: t("Service orientation"),
    akuntabel: t("Accountable"),
    kompeten: t("Competent"),
    harmonis: t("Harmonious"),
    loyal: t("Loyal"),
    adaptif: t("Adaptive"),
    kolaboratif: t("Collaborative"),
  };

  /* A labelled rating select whose first option is empty: the person chooses, nothing is
     pre-chosen (not even from the projection shown beside it). */
  function ratingSelect(name, text, { optional, hint } = {}) {
    const select = el(
      "select",
      { name, required: !optional },
      el("option", { value: "", text: optional ? t("Unchanged") : t("Choose a rating") }),
      RATINGS.map((r) => el("option", { value: r, text: K.label("rating", r) }))
    );
    return el("label", { class: "rating" }, text, hint ? el("span", { class: "hint", text: hint }) : null, select);
  }

  /* The chosen ratings of the selects named prefix + key, for the given keys. */
  function chosen(form, prefix, keys) {
    const out = {};
    for (const key of keys) {
      const select = form.querySelector('[name="' + CSS.escape(prefix + key) + '"]');
      if (select && select.value) out[key] = select.value;
    }
    return out;
  }

  function valueFields(prefix, { optional, expectations } = {}) {
    return Object.entries(VALUES).map(([key, text]) =>
      el(
        "div",
        { class: "value-field" },
        ratingSelect(prefix + key, text, { optional }),
        expectations
          ? el(
              "label",
              { class: "small" },
              t("Special expectation for {value} (optional)", { value: text }),
              el("textarea", { name: "expect-" + key, rows: 1, maxlength: 1000 })
            )
          : null
      )
    );
  }

  // ------------------------------------------------------------ names, never ids

  const names = new Map();
  /* The name of an employee of the regency (identity lets every colleague read it). */
  function nameOf(id) {
    if (!id) return Promise.resolve("–");
    if (!names.has(id)) {
      names.set(
        id,
        K.api("identity", "/employees/" + encodeURIComponent(id))
          .then((e) => e.name)
          .catch(() => t("(unknown person)"))
      );
    }
    return names.get(id);
  }

  async function periods() {
    return K.api("assessment", "/periods");
  }

  function periodSelect(name, list) {
    // The annual period last: it is the one whose assessment is final and may be objected to.
    return el(
      "select",
      { name, required: true },
      list.map((p, i) =>
        el("option", {
          value: p.label,
          selected: i === list.length - 1,
          text: p.kind === "annual" ? t("Year {label}", { label: p.label }) : t("Period {label}", { label: p.label }),
        })
      )
    );
  }

  // ------------------------------------------------------------ alerts

  // Alerts whose subject is an employee open that person's page.
  const ABOUT_A_PERSON = new Set(["behind_target", "silent", "assessment_due", "predikat_drop"]);

  function personHref(id) {
    return "/atasan/pegawai?id=" + encodeURIComponent(id);
  }

  function alertHref(alert) {
    return ABOUT_A_PERSON.has(alert.kind) ? personHref(alert.subject_id) : null;
  }

  async function markRead(alertId) {
    await K.api("gateway", "/alerts/" + encodeURIComponent(alertId) + "/read", { method: "POST" });
  }

  /* One alert as a list item: kind, text (a link to its subject), time, and "mark read". */
  function alertItem(alert, onRead) {
    const href = alertHref(alert);
    const text = href ? el("a", { href, class: "message", text: alert.message }) : el("span", { class: "message", text: alert.message });
    const item = el(
      "li",
      { class: "alert" + (alert.read ? " read" : ""), dataset: { alertId: alert.alert_id, kind: alert.kind } },
      el("span", { class: "kind", text: K.label("alertKind", alert.kind) }),
      text,
      el("time", { datetime: alert.occurred_at, text: K.fmt.time(alert.occurred_at) })
    );
    if (!alert.read) {
      const button = el("button", { class: "button small-button", type: "button", text: t("Mark read") });
      button.addEventListener("click", async () => {
        K.busy(button, true);
        try {
          await markRead(alert.alert_id);
          alert.read = true;
          item.classList.add("read");
          button.remove();
          if (onRead) onRead(alert);
        } catch (err) {
          K.busy(button, false);
          K.notice("page-message", K.errorText(err), "error");
        }
      });
      item.append(button);
    }
    return item;
  }

  /* The alerts still standing (raised, not cleared) from a history oldest first. */
  function standing(history) {
    const open = new Map();
    for (const a of history) {
      if (a.action === "cleared") open.delete(a.alert_id);
      else open.set(a.alert_id, a);
    }
    return [...open.values()];
  }

  function failed(target, err) {
    K.fill(target, el("p", { class: "errors", text: K.errorText(err) }));
  }

  /* One RHK of an SKP as the supervisor reads it: title, kind and the indicators' targets. */
  function rhkBlock(r) {
    return el(
      "div",
      { class: "rhk " + r.kind },
      el("h3", {}, r.title, K.badge("kind", r.kind, "kind")),
      K.table(
        [t("Indicator"), t("Aspect"), t("Target")],
        r.indicators.map((i) => [i.name, K.label("aspect", i.aspect), K.fmt.num(i.target) + " " + i.unit]),
        [2]
      )
    );
  }

  return { RATINGS, VALUES, ratingSelect, rhkBlock, chosen, valueFields, nameOf, periods, periodSelect, personHref, alertItem, markRead, standing, failed };
})();
