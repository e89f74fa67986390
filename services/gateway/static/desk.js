"use strict";
/* The complaint desk: the complaints of the units the caller handles (feedback decides
   which; complaints that name the caller never come), their due and overdue steps, and
   moving one along the SP4N-LAPOR! lifecycle with a reason and a LAPOR! reference.
   Names come from the gateway's /api/gateway/desk, never ids. The citizen is anonymous:
   the page shows only what feedback gives. */
(() => {
  const { el, fill, fmt, label, t } = K;
  const me = K.guard();
  const isAdmin = me.roles.includes("admin");
  const OPEN = ["received", "verified", "in_progress"];
  // The lifecycle (feedback's domain.TRANSITIONS): the page offers only these moves.
  const NEXT = {
    received: ["verified", "rejected", "not_our_authority", "archived"],
    verified: ["in_progress", "rejected", "not_our_authority", "archived"],
    in_progress: ["resolved", "archived"],
    resolved: ["archived"],
    rejected: ["archived"],
    not_our_authority: ["archived"],
    archived: [],
  };
  // Closing without resolution needs the unit head or admin (feedback refuses others).
  const CLOSING = new Set(["rejected", "not_our_authority", "archived"]);
  const CATEGORY = {
    pelayanan_lambat: "Slow service",
    prosedur_berbelit: "Convoluted procedure",
    pungutan_liar: "Illegal fees",
    perilaku_petugas: "Officer conduct",
    informasi_tidak_jelas: "Unclear information",
    sarana_prasarana: "Facilities",
    lainnya: "Other",
  };
  const STEP = { verification: "Verification", follow_up_plan: "Follow-up plan" };
  const category = (code) => (CATEGORY[code] ? t(CATEGORY[code]) : code);

  let desk = { units: [], people: {} };
  let people = {};
  let shown = [];
  let current = null;
  const unitSelect = document.getElementById("desk-unit");
  const statusSelect = document.getElementById("desk-status");
  const moveForm = document.getElementById("move-form");
  const detail = document.getElementById("complaint-detail");

  const unitOf = (id) => desk.units.find((u) => u.unit_id === id);
  const unitName = (id) => (unitOf(id) ? unitOf(id).name : t("another unit"));
  const personName = (id) => (id && people[id] ? people[id] : id ? t("BKPSDM admin") : "–");

  async function names(ids) {
    const wanted = [...new Set(ids.filter((id) => id && !(id in people)))];
    if (!wanted.length) return;
    const query = wanted.map((id) => "person=" + encodeURIComponent(id)).join("&");
    const found = await K.request("/api/gateway/desk?" + query);
    Object.assign(people, found.people);
  }

  /* The pending step: due (amber) or overdue (red), in words and colour. */
  function dueBadge(c) {
    if (!c.pending_step) return el("span", { class: "muted", text: t("Nothing due") });
    const what = t(STEP[c.pending_step] || c.pending_step);
    if (c.overdue) {
      return el("span", { class: "badge bad due-overdue", text: t("{step} overdue since {date}", { step: what, date: fmt.date(c.due_on) }) });
    }
    return el("span", { class: "badge warn due-soon", text: t("{step} due by {date}", { step: what, date: fmt.date(c.due_on) }) });
  }

  function canMove(c) {
    const unit = unitOf(c.unit_id);
    const head = isAdmin || (unit && unit.head);
    return NEXT[c.status].filter((s) => head || !CLOSING.has(s));
  }

  function render() {
    if (!shown.length) {
      fill("complaints", K.muted(t("No complaints to handle.")));
      return;
    }
    const wrap = K.table(
      [t("Tracking code"), t("Filed"), t("Work unit"), t("Category"), t("Status"), t("Due"), ""],
      []
    );
    for (const c of shown) {
      const moves = canMove(c);
      const row = K.addRow(
        wrap,
        [
          el("span", { class: "code", text: c.tracking_code }),
          fmt.date(c.received_at),
          unitName(c.unit_id),
          category(c.category),
          K.badge("complaintStatus", c.status, "status-" + c.status),
          dueBadge(c),
          el("button", {
            type: "button",
            class: "button",
            text: moves.length ? t("Handle") : t("View"),
            "aria-label": t("Open complaint {code}", { code: c.tracking_code }),
            onclick: () => open(c.id),
          }),
        ],
        { dataset: { tracking: c.tracking_code, status: c.status } }
      );
      if (c.overdue) row.classList.add("overdue");
    }
    fill("complaints", wrap);
  }

  async function load() {
    const params = new URLSearchParams({ limit: "200" });
    if (unitSelect.value) params.set("unit_id", unitSelect.value);
    try {
      const page = await K.api("feedback", "/complaints?" + params.toString());
      const open = statusSelect.value === "open";
      shown = page.items.filter((c) => !open || OPEN.includes(c.status));
      await names(shown.map((c) => c.officer_id));
      render();
    } catch (err) {
      fill("complaints");
      K.notice("page-message", K.errorText(err), "error");
    }
  }

  /* Complaints that name me: counted, never listed, never handled by me. */
  async function namingMe() {
    if (!me.employee_id) return;
    try {
      const mine = await K.api("feedback", "/complaints/naming-me");
      if (!mine.total) return;
      fill(
        "naming-me",
        el("p", {
          class: "notice",
          id: "naming-me-note",
          text: t(
            "{n} complaints name you. You do not handle them and do not see them here: the unit head or another complaint officer does.",
            { n: mine.total }
          ),
        })
      );
    } catch (err) {
      /* the count is a courtesy; the desk works without it */
    }
  }

  function history(c) {
    return el(
      "ol",
      { class: "timeline" },
      (c.history || []).map((s) =>
        el(
          "li",
          {},
          el("strong", { text: label("complaintStatus", s.to_status) }),
          " · " + fmt.time(s.at) + (s.actor_employee_id ? " · " + personName(s.actor_employee_id) : ""),
          s.reason ? el("div", { text: s.reason }) : null
        )
      )
    );
  }

  function showDetail(c) {
    current = c;
    fill("detail-title", t("Complaint {code}", { code: c.tracking_code }));
    fill(
      "detail-body",
      el("p", {}, K.badge("complaintStatus", c.status, "status-" + c.status), " ", dueBadge(c)),
      el("p", { text: t("Unit: {unit} · category: {category} · filed {date}", { unit: unitName(c.unit_id), category: category(c.category), date: fmt.date(c.received_at) }) }),
      c.officer_id ? el("p", { text: t("Officer named: {name}", { name: personName(c.officer_id) }) }) : null,
      c.lapor_reference ? el("p", { text: t("SP4N-LAPOR! reference: {ref}", { ref: c.lapor_reference }) }) : null,
      el("blockquote", { class: "complaint-text", text: c.text }),
      el("h3", { text: t("History") }),
      history(c)
    );
    const moves = canMove(c);
    moveForm.hidden = !moves.length;
    K.form.clear(moveForm);
    K.notice("move-message", "");
    fill("move-status", moves.map((s) => el("option", { value: s, text: label("complaintStatus", s) })));
    document.getElementById("move-lapor").value = c.lapor_reference || "";
    document.getElementById("move-reason").value = "";
    detail.hidden = false;
    document.getElementById("detail-title").setAttribute("tabindex", "-1");
    document.getElementById("detail-title").focus();
  }

  async function open(id) {
    K.notice("page-message", "");
    try {
      const c = await K.api("feedback", "/complaints/" + encodeURIComponent(id));
      await names([c.officer_id, ...(c.history || []).map((s) => s.actor_employee_id)]);
      showDetail(c);
    } catch (err) {
      detail.hidden = true;
      // 404: gone from my desk (e.g. it names me): feedback does not let me handle it.
      K.notice("page-message", K.errorText(err), "error");
    }
  }

  moveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const reason = document.getElementById("move-reason").value.trim();
    if (!reason) {
      K.notice("move-message", t("Write the reason for this step: the citizen reads it."), "error");
      return;
    }
    const lapor = document.getElementById("move-lapor").value.trim();
    const body = { to_status: document.getElementById("move-status").value, reason };
    if (lapor) body.lapor_reference = lapor;
    const button = moveForm.querySelector("button[type=submit]");
    K.busy(button, true);
    try {
      const moved = await K.api("feedback", "/complaints/" + encodeURIComponent(current.id) + "/transitions", { method: "POST", body });
      await names((moved.history || []).map((s) => s.actor_employee_id));
      showDetail(moved);
      K.notice("move-message", t("Saved: the complaint is now {status}.", { status: label("complaintStatus", moved.status) }), "ok");
      await load();
    } catch (err) {
      if (err instanceof K.ApiError && err.status === 409 && err.reason && err.reason.message === "the complaint changed meanwhile; reload it") {
        K.notice("move-message", t("Someone else moved this complaint meanwhile. It has been reloaded."), "error");
        await open(current.id);
        return;
      }
      K.form.errors(moveForm, err, "move-message");
    } finally {
      K.busy(button, false);
    }
  });

  document.getElementById("move-cancel").addEventListener("click", () => {
    detail.hidden = true;
    current = null;
  });
  unitSelect.addEventListener("change", load);
  statusSelect.addEventListener("change", load);

  async function start() {
    try {
      desk = await K.request("/api/gateway/desk");
    } catch (err) {
      K.notice("page-message", K.errorText(err), "error");
      return;
    }
    if (!desk.units.length) {
      document.getElementById("desk-filter").hidden = true;
      fill("complaints", K.muted(t("You do not handle the complaints of any unit: you are not a unit head or its complaint officer.")));
      await namingMe();
      return;
    }
    fill(
      unitSelect,
      desk.units.length > 1 ? el("option", { value: "", text: t("All my units") }) : null,
      desk.units.map((u) => el("option", { value: u.unit_id, text: u.name }))
    );
    await namingMe();
    await load();
  }

  start();
})();
