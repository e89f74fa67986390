"use strict";
/* /ops: readiness of every service (the gateway's /api/gateway/ops/status): reason codes,
   never personal data. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, t } = K;

  async function load() {
    try {
      const status = await K.request("/api/gateway/ops/status");
      fill(
        "ops-status",
        el("p", { class: status.ready ? "notice ok" : "notice error", text: status.ready ? t("Every service is ready.") : t("Some services are not ready.") }),
        K.table(
          [t("Service"), t("Ready"), t("Checks"), t("Metrics")],
          status.services.map((s) => [
            s.service,
            s.ready ? t("Yes") : t("No"),
            Object.entries(s.checks).map(([name, code]) => name + ": " + code).join("; "),
            s.metrics_path,
          ]),
          [],
          { export: { table: "status-layanan" } }
        )
      );
    } catch (err) {
      fill("ops-status", K.muted(K.errorText(err)));
    }
  }

  document.getElementById("ops-refresh").addEventListener("click", load);
  load();
})();
