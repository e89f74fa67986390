"use strict";
(() => {
  const { el, fill, fmt, label, t } = K;
  const tenant = document.body.dataset.tenant;
  const input = document.getElementById("track-code");

  async function track(code) {
    K.notice("track-message", "");
    fill("track-result");
    try {
      const c = await K.publicApi(
        "feedback",
        "/public/" + encodeURIComponent(tenant) + "/complaints/" + encodeURIComponent(code)
      );
      fill(
        "track-result",
        el("p", {}, t("Status:") + " ", el("span", { class: "badge " + c.status, text: label("complaintStatus", c.status) })),
        el("p", { text: t("Unit: {unit} · filed {date}", { unit: c.unit_name, date: fmt.date(c.filed_at) }) }),
        c.lapor_reference ? el("p", { text: t("SP4N-LAPOR! reference: {ref}", { ref: c.lapor_reference }) }) : null,
        el("h2", { text: t("History") }),
        el(
          "ul",
          { class: "timeline" },
          c.history.map((s) =>
            el("li", {}, el("strong", { text: label("complaintStatus", s.status) }), " · " + fmt.time(s.at), s.reason ? el("div", { text: s.reason }) : null)
          )
        )
      );
    } catch (err) {
      const text =
        err instanceof K.ApiError && err.status === 404
          ? t("Tracking code not found. Check your code again.")
          : K.errorText(err);
      K.notice("track-message", text, "error");
    }
  }

  document.getElementById("track-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const code = input.value.trim().toUpperCase();
    if (code) track(code);
  });
  if (input.value.trim()) track(input.value.trim().toUpperCase());
})();
