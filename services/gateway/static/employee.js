"use strict";
(() => {
  const claims = K.guard("pegawai");
  if (!claims) return;
  const { el, fill, fmt, label, badge, muted } = K;
  let year = K.yearSelect("year-select", (y) => {
    year = y;
    loadAll();
  });
  document.getElementById("activity-date").value = K.today();
  let indicators = new Map(); // indicator id -> {name, unit, rhk}
  let skp = null;

  async function loadWho() {
    try {
      const me = await K.api("identity", "/me");
      const who = me.employee ? me.employee.name + " · " + me.employee.position : me.username;
      fill("who-line", who + " · NIP " + ((me.employee && me.employee.nip) || "–"));
    } catch (err) {
      fill("who-line", K.errorText(err));
    }
  }

  function indicatorTable(rhk) {
    return K.table(
      ["Indikator", "Aspek", "Target", "Arah"],
      rhk.indicators.map((i) => [
        i.name,
        label("aspect", i.aspect),
        fmt.num(i.target) + " " + i.unit,
        label("direction", i.direction),
      ]),
      [2]
    );
  }

  function rhkBlock(rhk) {
    return el(
      "div",
      { class: "rhk " + rhk.kind },
      el("h3", {}, rhk.title, badge("kind", rhk.kind, "kind")),
      indicatorTable(rhk)
    );
  }

  async function submitSkp(button) {
    K.busy(button, true);
    try {
      await K.api("targets", "/skp/" + skp.id + "/submit", { method: "POST" });
      K.notice("page-message", "SKP sudah diajukan ke atasan Anda.", "ok");
      await loadSkp();
    } catch (err) {
      K.notice("page-message", K.errorText(err), "error");
      K.busy(button, false);
    }
  }

  async function approvedContent(found) {
    if (found.status === "approved") return found.rhk;
    if (!found.approved_version) return null;
    const version = await K.api("targets", "/skp/" + found.id + "/versions/" + found.approved_version);
    return version.rhk;
  }

  async function loadSkp() {
    fill("skp-year", String(year));
    indicators = new Map();
    skp = null;
    try {
      const page = await K.api("targets", "/skp?year=" + year);
      skp = page.items[0] || null;
      if (!skp) {
        fill("skp", muted("Belum ada SKP untuk tahun " + year + ". Susun SKP bersama atasan Anda."));
        showActivityForm(null);
        return;
      }
      const head = el(
        "p",
        {},
        "Status: ",
        badge("skpStatus", skp.status),
        " · versi " + skp.version,
        skp.approved_version ? " · versi disetujui " + skp.approved_version : ""
      );
      const actions = [];
      if (skp.status === "draft") {
        const button = el("button", { class: "button primary", type: "button", text: "Ajukan ke atasan" });
        button.addEventListener("click", () => submitSkp(button));
        actions.push(el("div", { class: "buttons" }, button));
      } else if (skp.status === "submitted") {
        actions.push(muted("Menunggu persetujuan atasan."));
      }
      const groups = ["utama", "tambahan"].map((kind) => {
        const list = skp.rhk.filter((r) => r.kind === kind);
        return list.length ? [el("h3", { text: "RHK " + label("kind", kind) }), list.map(rhkBlock)] : null;
      });
      fill("skp", head, actions, groups);
      const content = await approvedContent(skp);
      for (const r of content || []) {
        for (const i of r.indicators) indicators.set(i.indicator_id, { ...i, rhk: r.title });
      }
      showActivityForm(content);
    } catch (err) {
      fill("skp", el("p", { class: "errors", text: K.errorText(err) }));
      showActivityForm(null);
    }
  }

  function showActivityForm(content) {
    const form = document.getElementById("activity-form");
    const ready = !!(content && content.length);
    form.hidden = !ready;
    document.getElementById("activity-hint").hidden = ready;
    if (!ready) return;
    fill(
      "activity-indicator",
      content.map((r) =>
        el(
          "optgroup",
          { label: r.title },
          r.indicators.map((i) =>
            el("option", { value: i.indicator_id, text: i.name + " (" + i.unit + ")" })
          )
        )
      )
    );
  }

  document.getElementById("activity-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = document.getElementById("activity-value").value;
    const date = document.getElementById("activity-date").value;
    if (value === "" || Number(value) < 0) {
      K.notice("activity-message", "Isi jumlah atau nilai (0 atau lebih).", "error");
      return;
    }
    if (!date) {
      K.notice("activity-message", "Isi tanggal kegiatan.", "error");
      return;
    }
    const evidence = document.getElementById("activity-evidence").value.trim();
    const button = event.target.querySelector("button");
    K.busy(button, true);
    try {
      await K.api("targets", "/activities", {
        method: "POST",
        body: {
          skp_id: skp.id,
          indicator_id: document.getElementById("activity-indicator").value,
          activity_date: date,
          value: Number(value),
          note: document.getElementById("activity-note").value.trim(),
          evidence_url: evidence || null,
        },
      });
      K.notice("activity-message", "Kegiatan tersimpan.", "ok");
      document.getElementById("activity-value").value = "";
      document.getElementById("activity-note").value = "";
      document.getElementById("activity-evidence").value = "";
      await loadActivities();
    } catch (err) {
      K.notice("activity-message", K.errorText(err), "error");
    } finally {
      K.busy(button, false);
    }
  });

  async function loadActivities() {
    if (!skp) {
      fill("activities", muted("Belum ada kegiatan."));
      return;
    }
    try {
      const page = await K.api("targets", "/activities?limit=50&skp_id=" + encodeURIComponent(skp.id));
      if (!page.items.length) {
        fill("activities", muted("Belum ada kegiatan tercatat."));
        return;
      }
      fill(
        "activities",
        K.table(
          ["Tanggal", "Indikator", "Nilai", "Catatan", "Bukti"],
          page.items.map((a) => {
            const ind = indicators.get(a.indicator_id);
            return [
              fmt.date(a.activity_date),
              ind ? ind.name : a.indicator_id,
              fmt.num(a.value) + (ind ? " " + ind.unit : ""),
              a.note || "–",
              a.evidence_url ? el("a", { href: a.evidence_url, rel: "noopener noreferrer", target: "_blank", text: "Buka" }) : "–",
            ];
          }),
          [2]
        ),
        page.total > page.items.length ? muted(page.items.length + " dari " + page.total + " kegiatan terbaru.") : null
      );
    } catch (err) {
      fill("activities", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  function figure(value, text) {
    return el("div", { class: "figure" }, el("span", { class: "value", text: value }), el("span", { class: "label", text }));
  }

  async function loadScores() {
    try {
      const s = await K.api("scoring", "/scores/employees/" + encodeURIComponent(claims.employee_id) + "?period=" + year);
      const ex = s.explanations || {};
      fill(
        "scores",
        el(
          "div",
          { class: "figures" },
          figure(fmt.pct(s.achievement), "Capaian saat ini"),
          figure(fmt.pct(s.projected_achievement), "Proyeksi akhir periode"),
          figure(label("predikat", s.projected_predikat), "Predikat proyeksi"),
          figure(label("predikat", s.final_predikat), "Predikat akhir")
        ),
        [ex.achievement, ex.projected_achievement, ex.projected_rating, ex.projected_predikat, ex.final_predikat, ex.behaviour]
          .filter(Boolean)
          .map((t) => el("p", { class: "explain", text: t })),
        s.rhk.length
          ? K.table(
              ["RHK / indikator", "Realisasi", "Capaian", "Penjelasan"],
              s.rhk.flatMap((r) =>
                r.indicators.map((i) => [
                  r.title + " — " + i.name,
                  fmt.num(i.realisation) + " / " + fmt.num(i.target) + " " + i.unit,
                  fmt.pct(i.achievement),
                  i.explanation,
                ])
              ),
              [1, 2]
            )
          : muted("Skor dihitung setelah SKP disetujui dan kegiatan dicatat.")
      );
    } catch (err) {
      const text =
        err instanceof K.ApiError && err.status === 404
          ? "Skor belum tersedia untuk tahun " + year + "."
          : K.errorText(err);
      fill("scores", muted(text));
    }
  }

  async function loadAll() {
    await loadSkp();
    await Promise.all([loadActivities(), loadScores()]);
  }

  loadWho();
  loadAll();
})();
