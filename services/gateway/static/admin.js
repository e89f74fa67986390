"use strict";
(() => {
  const claims = K.guard("admin");
  if (!claims) return;
  const { el, fill, fmt, label, muted } = K;
  const predikatSelect = document.getElementById("org-predikat");
  let year = K.yearSelect("year-select", (y) => {
    year = y;
    loadRegency();
  });
  predikatSelect.addEventListener("change", loadRegency);
  let unitNames = new Map();

  const ORDER = ["sangat_baik", "baik", "butuh_perbaikan", "kurang", "sangat_kurang"];

  async function loadRegency() {
    try {
      const r = await K.api(
        "scoring",
        "/scores/regency?year=" + year + "&organisation_predikat=" + predikatSelect.value
      );
      const total = ORDER.reduce((sum, p) => sum + (r.predikat_distribution[p] || 0), 0);
      const rows = ORDER.map((p) => {
        const n = r.predikat_distribution[p] || 0;
        const share = total ? (n / total) * 100 : 0;
        return [
          label("predikat", p),
          fmt.num(n, 0),
          fmt.pct(share),
          el("div", { class: "bar" }, el("span", { dataset: { share: share.toFixed(1) } })),
        ];
      });
      const checks = r.distribution_checks.map((c) =>
        el(
          "li",
          { class: c.breached ? "breach" : null },
          (c.breached ? "Melanggar: " : "Terpenuhi: ") + c.rule + " (" + fmt.pct(c.share * 100) + ")"
        )
      );
      fill(
        "distribution",
        el("p", {}, r.employees + " pegawai pada tahun " + r.year + "; predikat akhir sudah ada untuk " + total + "."),
        K.table(["Predikat", "Jumlah", "Porsi", ""], rows, [1, 2]),
        el("h3", { text: "Kurva untuk organisasi berpredikat " + label("predikat", r.organisation_predikat) }),
        checks.length ? el("ul", {}, checks) : muted("Tidak ada aturan kurva untuk predikat ini.")
      );
      // Bar widths: set through the CSSOM (the page's policy forbids inline style attributes).
      for (const span of document.querySelectorAll("#distribution .bar span")) {
        span.style.width = span.dataset.share + "%";
      }
      rank("rank-ikm", r.units_by_ikm, (u) => [u.name, fmt.num(u.value), fmt.num(u.responses, 0)], ["Unit", "IKM", "Responden"]);
      rank("rank-achievement", r.units_by_achievement, (u) => [u.name, fmt.pct(u.value)], ["Unit", "Rata-rata capaian"]);
    } catch (err) {
      fill("distribution", muted(K.errorText(err)));
      fill("rank-ikm", muted("–"));
      fill("rank-achievement", muted("–"));
    }
  }

  function rank(id, units, cells, headers) {
    if (!units.length) {
      fill(id, muted("Belum ada data."));
      return;
    }
    fill(id, K.table(["#", ...headers], units.map((u, i) => [String(i + 1), ...cells(u)]), [2, 3]));
  }

  async function loadUnits() {
    try {
      const page = await K.api("identity", "/units?limit=500");
      unitNames = new Map(page.items.map((u) => [u.id, u.name]));
      fill(
        "units",
        page.items.length
          ? K.table(
              ["Nama", "Kode", "Jenis", "Induk", "Layanan publik"],
              page.items.map((u) => [
                u.name,
                u.code || "–",
                label("unitKind", u.kind),
                u.parent_id ? unitNames.get(u.parent_id) || u.parent_id : "–",
                u.serves_public ? "Ya" : "Tidak",
              ])
            )
          : muted("Belum ada unit. Tambahkan lewat impor CSV."),
        page.total > page.items.length ? muted(page.items.length + " dari " + page.total + " unit.") : null
      );
    } catch (err) {
      fill("units", muted(K.errorText(err)));
    }
  }

  async function loadEmployees() {
    const q = document.getElementById("employee-q").value.trim();
    try {
      const page = await K.api("identity", "/employees?limit=50" + (q ? "&q=" + encodeURIComponent(q) : ""));
      fill(
        "employees",
        page.items.length
          ? K.table(
              ["Nama", "NIP", "Jabatan", "Unit"],
              page.items.map((e) => [e.name, e.nip || "–", e.position, unitNames.get(e.unit_id) || e.unit_id])
            )
          : muted(q ? "Tidak ada pegawai yang cocok." : "Belum ada pegawai."),
        page.total > page.items.length ? muted(page.items.length + " dari " + page.total + " pegawai.") : null
      );
    } catch (err) {
      fill("employees", muted(K.errorText(err)));
    }
  }

  document.getElementById("employee-search").addEventListener("submit", (event) => {
    event.preventDefault();
    loadEmployees();
  });

  const importForm = document.getElementById("import-form");
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const dryRun = event.submitter ? event.submitter.dataset.dryRun === "true" : true;
    const file = document.getElementById("import-file").files[0];
    const kind = document.getElementById("import-kind").value;
    const result = document.getElementById("import-result");
    if (!file) {
      fill(result, el("p", { class: "errors", text: "Pilih berkas CSV terlebih dahulu." }));
      return;
    }
    for (const b of importForm.querySelectorAll("button")) b.disabled = true;
    try {
      const report = await K.api("identity", "/import/" + kind + "?dry_run=" + dryRun, {
        method: "POST",
        body: await file.text(),
        contentType: "text/csv",
      });
      const ok = !report.errors.length;
      fill(
        result,
        el(
          "p",
          { class: ok ? "notice ok" : "notice error" },
          (report.dry_run ? "Uji coba: " : "Impor: ") +
            report.rows + " baris diperiksa, " +
            (report.dry_run ? "tidak ada yang disimpan" : report.created + " disimpan") +
            (ok ? ", tidak ada kesalahan." : ", " + report.errors.length + " baris bermasalah:")
        ),
        ok ? null : el("ul", { class: "errors" }, report.errors.map((e) => el("li", {}, "Baris " + e.line + ": " + e.reason)))
      );
      if (!report.dry_run) {
        await loadUnits();
        loadEmployees();
      }
    } catch (err) {
      fill(result, el("p", { class: "notice error", text: K.errorText(err) + (dryRun ? "" : " Tidak ada yang disimpan.") }));
    } finally {
      for (const b of importForm.querySelectorAll("button")) b.disabled = false;
    }
  });

  async function loadTenant() {
    try {
      const t = await K.api("identity", "/tenant");
      fill("regency-name", "· " + t.name);
    } catch (err) {
      /* the name is decoration */
    }
  }

  loadTenant();
  loadRegency();
  loadUnits().then(loadEmployees);
})();
