"use strict";
(() => {
  const claims = K.guard("atasan");
  if (!claims) return;
  const { el, fill, fmt, label, badge, muted } = K;
  let year = K.yearSelect("year-select", (y) => {
    year = y;
    loadTeam();
    loadScores();
  });

  // ------------------------------------------------------------ live alerts

  const list = document.getElementById("alerts");
  const state = document.getElementById("live-state");

  function showAlert(alert) {
    const existing = list.querySelector('[data-alert-id="' + CSS.escape(alert.alert_id) + '"]');
    if (alert.action === "cleared") {
      if (existing) existing.remove();
    } else {
      const item = el(
        "li",
        { class: "alert", dataset: { alertId: alert.alert_id, kind: alert.kind } },
        el("span", { class: "kind", text: label("alertKind", alert.kind) }),
        el("span", { class: "message", text: alert.message }),
        el("time", { datetime: alert.occurred_at, text: fmt.time(alert.occurred_at) })
      );
      if (existing) existing.replaceWith(item);
      else list.prepend(item);
    }
    const empty = list.querySelector(".empty");
    const count = list.querySelectorAll(".alert").length;
    if (count && empty) empty.remove();
    if (!count && !empty) list.append(el("li", { class: "muted empty", text: "Belum ada peringatan." }));
  }

  K.live(showAlert, (on) => {
    state.className = "live " + (on ? "on" : "off");
    state.textContent = on ? "Langsung" : "Menyambung ulang…";
  });

  // ------------------------------------------------------------ team SKP

  function review(member, row) {
    const box = el("div", { class: "review" }, muted("Memuat SKP…"));
    row.after(el("tr", {}, el("td", { colspan: 4 }, box)));
    K.api("targets", "/skp/" + member.skp_id)
      .then((skp) => {
        const comment = el("textarea", { rows: 2, maxlength: 2000, placeholder: "Alasan pengembalian (wajib bila dikembalikan)" });
        const approve = el("button", { class: "button primary", type: "button", text: "Setujui" });
        const back = el("button", { class: "button danger", type: "button", text: "Kembalikan" });
        const message = el("div", { class: "notice", hidden: true, role: "status" });
        async function act(action, body, button) {
          K.busy(button, true);
          try {
            await K.api("targets", "/skp/" + skp.id + "/" + action, { method: "POST", body });
            K.notice("page-message", action === "approve"
              ? "SKP " + member.name + " disetujui."
              : "SKP " + member.name + " dikembalikan untuk diperbaiki.", "ok");
            loadTeam();
          } catch (err) {
            K.notice(message, K.errorText(err), "error");
            K.busy(button, false);
          }
        }
        approve.addEventListener("click", () => act("approve", undefined, approve));
        back.addEventListener("click", () => {
          if (!comment.value.trim()) {
            K.notice(message, "Tuliskan alasan pengembalian.", "error");
            comment.focus();
            return;
          }
          act("return", { comment: comment.value.trim() }, back);
        });
        fill(
          box,
          skp.rhk.map((r) =>
            el(
              "div",
              { class: "rhk " + r.kind },
              el("h3", {}, r.title, badge("kind", r.kind, "kind")),
              K.table(
                ["Indikator", "Aspek", "Target"],
                r.indicators.map((i) => [i.name, label("aspect", i.aspect), fmt.num(i.target) + " " + i.unit]),
                [2]
              )
            )
          ),
          el("label", {}, "Catatan untuk pegawai", comment),
          message,
          el("div", { class: "buttons" }, approve, back)
        );
      })
      .catch((err) => fill(box, el("p", { class: "errors", text: K.errorText(err) })));
  }

  async function loadTeam() {
    fill("team-year", String(year));
    try {
      const page = await K.api("targets", "/skp/team?limit=200&year=" + year);
      if (!page.items.length) {
        fill("team", muted("Tidak ada bawahan langsung."));
        return;
      }
      const waiting = page.items.filter((m) => m.status === "submitted").length;
      const wrap = K.table(["Nama", "Jabatan", "Status SKP", ""], [], []);
      for (const member of page.items) {
        const button =
          member.status === "submitted" ? el("button", { class: "button", type: "button", text: "Periksa" }) : "";
        const cells = [member.name, member.position, badge("skpStatus", member.status), button];
        const row = K.addRow(wrap, cells, { dataset: { employeeId: member.employee_id } });
        if (button) {
          button.addEventListener("click", () => {
            button.disabled = true;
            review(member, row);
          });
        }
      }
      fill(
        "team",
        el("p", {}, waiting ? waiting + " SKP menunggu persetujuan Anda." : "Tidak ada SKP yang menunggu persetujuan."),
        wrap
      );
    } catch (err) {
      fill("team", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  // ------------------------------------------------------------ assessment to-do

  async function loadTodo() {
    try {
      const todo = await K.api("assessment", "/todo");
      fill(
        "todo",
        el("p", {}, "Periode " + todo.period.label + " (" + fmt.date(todo.period.start) + " – " + fmt.date(todo.period.end) + ")"),
        todo.pending.length
          ? el("ul", {}, todo.pending.map((p) => el("li", {}, p.name + " · " + p.position)))
          : muted("Semua bawahan sudah Anda nilai untuk periode ini."),
        todo.peer_requests.length
          ? muted(todo.peer_requests.length + " permintaan penilaian rekan kerja menunggu Anda.")
          : null
      );
    } catch (err) {
      fill("todo", muted(K.errorText(err)));
    }
  }

  // ------------------------------------------------------------ team scores

  async function loadScores() {
    try {
      const page = await K.api("scoring", "/scores/team?limit=200&year=" + year);
      if (!page.items.length) {
        fill("team-scores", muted("Belum ada skor tim."));
        return;
      }
      fill(
        "team-scores",
        K.table(
          ["Nama", "Capaian", "Proyeksi", "Predikat proyeksi", "Predikat akhir", "Kegiatan terakhir"],
          page.items.map((s) => [
            s.name,
            fmt.pct(s.achievement),
            fmt.pct(s.projected_achievement),
            label("predikat", s.projected_predikat),
            label("predikat", s.final_predikat),
            fmt.date(s.last_activity_date),
          ]),
          [1, 2]
        )
      );
    } catch (err) {
      fill("team-scores", muted(K.errorText(err)));
    }
  }

  loadTeam();
  loadTodo();
  loadScores();
})();
