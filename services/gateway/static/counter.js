"use strict";
/* The service counter (petugas loket): one survey token per transaction served, shown as
   a QR code big enough to scan from a phone across the desk (feedback draws it: the SVG
   comes through the proxy, authenticated by the session cookie), and a printable slip
   (counter.css prints only the slip). The officer named is a colleague: never myself —
   feedback refuses it, and the list here does not offer me. */
(() => {
  const { el, fill, fmt, t } = K;
  const me = K.guard();
  const form = document.getElementById("token-form");
  const officer = document.getElementById("token-officer");
  let unit = null;

  async function start() {
    let desk;
    try {
      desk = await K.request("/api/gateway/desk");
    } catch (err) {
      K.notice("counter-message", K.errorText(err), "error");
      return;
    }
    unit = desk.own_unit;
    if (!unit || !unit.serves_public) {
      form.hidden = true;
      K.notice("counter-message", t("Your unit does not serve the public: it takes no surveys."), "error");
      return;
    }
    fill("counter-unit", t("Unit: {unit}", { unit: unit.name }));
    fill(
      officer,
      el("option", { value: "", text: t("— not named —") }),
      desk.colleagues.map((p) => el("option", { value: p.employee_id, text: p.name }))
    );
  }

  function showSlip(token) {
    const url = token.survey_url;
    fill("slip-regency", me.tenant_name || "");
    fill("slip-unit", unit.name);
    const qr = document.getElementById("slip-qr");
    qr.alt = t("QR code of the survey link {url}", { url });
    qr.src = "/api/feedback/survey-tokens/" + encodeURIComponent(token.id) + "/qr.svg";
    const link = document.getElementById("slip-url");
    link.href = url;
    link.textContent = url;
    fill("slip-service", token.service_type ? t("Service: {service}", { service: token.service_type }) : "");
    fill("slip-expiry", t("Valid until {time}, for one survey only.", { time: fmt.time(token.expires_at) }));
    document.getElementById("counter-card").hidden = true;
    document.getElementById("slip").hidden = false;
    document.getElementById("slip-title").setAttribute("tabindex", "-1");
    document.getElementById("slip-title").focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    K.form.clear(form);
    K.notice("counter-message", "");
    const service = document.getElementById("token-service").value.trim();
    if (!service) {
      K.notice("counter-message", t("Write which service the citizen received."), "error");
      return;
    }
    const body = { unit_id: unit.unit_id, service_type: service };
    if (officer.value) body.officer_id = officer.value;
    const button = form.querySelector("button[type=submit]");
    K.busy(button, true);
    try {
      showSlip(await K.api("feedback", "/survey-tokens", { method: "POST", body }));
    } catch (err) {
      K.form.errors(form, err, "counter-message");
    } finally {
      K.busy(button, false);
    }
  });

  document.getElementById("slip-print").addEventListener("click", () => window.print());
  document.getElementById("slip-next").addEventListener("click", () => {
    document.getElementById("slip").hidden = true;
    document.getElementById("counter-card").hidden = false;
    form.reset();
    document.getElementById("token-service").focus();
  });

  start();
})();
