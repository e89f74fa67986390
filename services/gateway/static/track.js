"use strict";
(() => {
  const { el, fill, fmt, label } = K;
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
        el("p", {}, "Status: ", el("span", { class: "badge " + c.status, text: label("complaintStatus", c.status) })),
        el("p", {}, "Unit: " + c.unit_name + " · diajukan " + fmt.date(c.filed_at)),
        c.lapor_reference ? el("p", {}, "Nomor SP4N-LAPOR!: " + c.lapor_reference) : null,
        el("h2", { text: "Riwayat" }),
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
          ? "Kode pelacakan tidak ditemukan. Periksa kembali kode Anda."
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
