"use strict";
(() => {
  const tenant = document.body.dataset.tenant;
  const form = document.getElementById("complaint-form");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const unit = document.getElementById("complaint-unit").value;
    const text = document.getElementById("complaint-text").value.trim();
    if (!unit) {
      K.notice("complaint-message", K.t("Choose the service unit your complaint is about."), "error");
      return;
    }
    if (!text) {
      K.notice("complaint-message", K.t("Write your complaint."), "error");
      return;
    }
    const button = form.querySelector("button");
    K.busy(button, true);
    try {
      const receipt = await K.publicApi("feedback", "/public/" + encodeURIComponent(tenant) + "/complaints", {
        method: "POST",
        body: { unit_id: unit, category: document.getElementById("complaint-category").value, text },
      });
      document.getElementById("complaint-card").hidden = true;
      document.getElementById("complaint-done").hidden = false;
      document.getElementById("tracking-code").textContent = receipt.tracking_code;
      document.getElementById("track-link").href =
        "/pengaduan/" + encodeURIComponent(tenant) + "/lacak?kode=" + encodeURIComponent(receipt.tracking_code);
    } catch (err) {
      const message =
        err instanceof K.ApiError && err.status === 429
          ? K.t("Too many complaints from your device. Wait a moment and try again.")
          : K.errorText(err);
      K.notice("complaint-message", message, "error");
    } finally {
      K.busy(button, false);
    }
  });
})();
