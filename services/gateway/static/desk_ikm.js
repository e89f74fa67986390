"use strict";
/* A unit's IKM (SKM) for one ended month: category, number of responses, the provisional
   mark below the regency's minimum sample, the nine elements' NRR as bars drawn by DOM
   (with a table as their text alternative), and the citizens' comments. Feedback decides
   what may be shown: below k responses it answers "suppressed" and this page says "not
   enough data", never a figure. */
(() => {
  const { el, fill, fmt, t } = K;
  const ELEMENT = {
    persyaratan: "Requirements",
    prosedur: "Procedure",
    waktu_pelayanan: "Completion time",
    biaya_tarif: "Cost or tariff",
    produk_layanan: "Service product",
    kompetensi_pelaksana: "Officer competence",
    perilaku_pelaksana: "Officer conduct",
    sarana_prasarana: "Facilities",
    penanganan_pengaduan: "Handling of complaints",
  };
  const CATEGORY = { A: "Very good", B: "Good", C: "Not good enough", D: "Not good" };
  const unitSelect = document.getElementById("ikm-unit");
  const monthInput = document.getElementById("ikm-month");

  function lastMonth() {
    const d = new Date();
    d.setDate(1);
    d.setMonth(d.getMonth() - 1);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0");
  }

  function window_() {
    const [y, m] = monthInput.value.split("-").map(Number);
    const last = new Date(y, m, 0).getDate();
    const mm = String(m).padStart(2, "0");
    return { from: y + "-" + mm + "-01", to: y + "-" + mm + "-" + String(last).padStart(2, "0") };
  }

  /* The nine NRR (1..4) as horizontal bars: role=img with a label for each bar, the
     exact figures in the table that follows (the text alternative). */
  function chart(elements) {
    const bars = el(
      "div",
      { class: "bars", role: "img", "aria-label": t("Bar chart of the score per element; the same figures are in the table below.") },
      elements.map((e) =>
        el(
          "div",
          { class: "bar-row", dataset: { element: e.element } },
          el("span", { class: "bar-label", text: t(ELEMENT[e.element] || e.element) }),
          el(
            "span",
            { class: "bar-track" },
            el("span", { class: "bar-fill " + (e.nrr < 2.5 ? "low" : e.nrr < 3.0625 ? "mid" : "high"), dataset: { width: String(Math.round((e.nrr / 4) * 100)) } })
          ),
          el("span", { class: "bar-value", text: fmt.num(e.nrr, 2) })
        )
      )
    );
    // Widths by CSSOM, not a style attribute (the policy forbids inline styles).
    for (const fillNode of bars.querySelectorAll(".bar-fill")) fillNode.style.width = fillNode.dataset.width + "%";
    const table = K.table(
      [t("Element"), { label: t("NRR"), num: true }],
      elements.map((e) => [t(ELEMENT[e.element] || e.element), fmt.num(e.nrr, 2)])
    );
    table.classList.add("nrr-table");
    return [bars, table];
  }

  async function load() {
    K.notice("page-message", "");
    if (!unitSelect.value || !monthInput.value) return;
    const range = window_();
    const query = "?from=" + range.from + "&to=" + range.to;
    const unit = encodeURIComponent(unitSelect.value);
    try {
      const s = await K.api("feedback", "/units/" + unit + "/survey-summary" + query);
      if (s.suppressed || s.ikm === null) {
        fill("ikm-summary", el("p", { class: "notice", id: "ikm-none", text: s.suppressed ? t("Not enough data: fewer responses this month than the regency's minimum, so no figure is shown.") : t("No survey responses this month.") }));
        fill("ikm-chart", K.muted(t("No figures to draw.")));
      } else {
        fill(
          "ikm-summary",
          el(
            "dl",
            { class: "ikm-figures" },
            el("dt", { text: t("IKM") }),
            el("dd", { id: "ikm-value", text: fmt.num(s.ikm, 2) }),
            el("dt", { text: t("Service quality") }),
            el("dd", { id: "ikm-category", text: s.category + " · " + t(CATEGORY[s.category] || s.label || "") }),
            el("dt", { text: t("Responses") }),
            el("dd", { id: "ikm-responses", text: String(s.responses) })
          ),
          s.provisional
            ? el("p", { class: "notice provisional", id: "ikm-provisional", text: t("Provisional: {n} responses, below the regency's minimum sample of {min}.", { n: s.responses, min: s.min_sample }) })
            : null
        );
        fill("ikm-chart", chart(s.elements));
      }
    } catch (err) {
      fill("ikm-summary");
      fill("ikm-chart");
      K.notice("page-message", K.errorText(err), "error");
    }
    try {
      const c = await K.api("feedback", "/units/" + unit + "/survey-comments" + query);
      if (c.suppressed) fill("ikm-comments", K.muted(t("Not enough data: comments are shown once the month has the regency's minimum number of responses.")));
      else if (!c.comments.length) fill("ikm-comments", K.muted(t("No comments this month.")));
      else fill("ikm-comments", el("ul", { class: "comments", id: "comment-list" }, c.comments.map((text) => el("li", { text }))));
      // Whoever may read the suggestions may have the month's official report.
      const report = "/dokumen/skm/" + unit + "?dari=" + range.from + "&sampai=" + range.to;
      document.getElementById("ikm-comments").append(
        el("p", { class: "buttons" }, el("a", { class: "button", id: "skm-pdf", href: report, target: "_blank", rel: "noopener" }, t("SKM report (PDF)")))
      );
    } catch (err) {
      fill("ikm-comments", K.muted(K.errorText(err)));
    }
  }

  async function start() {
    let desk;
    try {
      desk = await K.request("/api/gateway/desk");
    } catch (err) {
      K.notice("page-message", K.errorText(err), "error");
      return;
    }
    const units = desk.units.filter((u) => u.serves_public);
    if (!units.length) {
      document.getElementById("ikm-filter").hidden = true;
      fill("ikm-summary", K.muted(t("You do not head a unit that serves the public, nor handle its complaints.")));
      fill("ikm-comments");
      return;
    }
    fill(unitSelect, units.map((u) => el("option", { value: u.unit_id, text: u.name })));
    monthInput.max = lastMonth();
    monthInput.value = lastMonth();
    unitSelect.addEventListener("change", load);
    monthInput.addEventListener("change", load);
    await load();
  }

  start();
})();
