"use strict";
/* /atasan: the supervisor's (or the kepala daerah's) desk: live alerts with the bell
   counter, the team's SKP (approve or return), the assessments to do, the objections to
   decide, and the team's scores. Each person links to their own page (/atasan/pegawai). */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, fmt, label, badge, muted, t } = K;
  let year = K.yearSelect("year-select", (y) => {
    year = y;
    loadTeam();
    loadScores();
  });

  // ------------------------------------------------------------ live alerts

  const list = document.getElementById("alerts");
  const state = document.getElementById("live-state");
  const bell = document.getElementById("bell");

  function ring() {
    const unread = list.querySelectorAll(".alert:not(.read)").length;
    bell.textContent = unread ? t("{n} unread", { n: unread }) : t("all read");
    bell.className = "bell" + (unread ? " on" : "");
    bell.dataset.count = String(unread);
  }

  function showAlert(alert) {
    const existing = list.querySelector('[data-alert-id="' + CSS.escape(alert.alert_id) + '"]');
    if (alert.action === "cleared") {
      if (existing) existing.remove();
    } else {
      const item = S.alertItem(alert, ring);
      if (existing) existing.replaceWith(item);
      else list.prepend(item);
    }
    const empty = list.querySelector(".empty");
    const count = list.querySelectorAll(".alert").length;
    if (count && empty) empty.remove();
    if (!count && !empty) list.append(el("li", { class: "muted empty", text: t("No alerts yet.") }));
    ring();
  }

  ring();
  K.live(showAlert, (on) => {
    state.className = "live " + (on ? "on" : "off");
    state.textContent = on ? t("Live") : t("Reconnecting…");
  });

  // ------------------------------------------------------------ team SKP

  function review(member, row) {
    const box = el("div", { class: "review" }, muted(t("Loading the SKP…")));
    row.after(el("tr", {}, el("td", { colspan: 4 }, box)));
    K.api("targets", "/skp/" + encodeURIComponent(member.skp_id))
      .then((skp) => {
        const comment = el("textarea", { rows: 2, maxlength: 2000, name: "comment" });
        const approve = el("button", { class: "button primary", type: "button", text: t("Approve") });
        const back = el("button", { class: "button danger", type: "button", text: t("Return") });
        const message = el("div", { class: "notice", hidden: true, role: "status" });
        async function act(action, body, button) {
          K.busy(button, true);
          try {
            await K.api("targets", "/skp/" + encodeURIComponent(skp.id) + "/" + action, { method: "POST", body });
            K.notice(
              "page-message",
              action === "approve"
                ? t("The SKP of {name} is approved.", { name: member.name })
                : t("The SKP of {name} went back for correction.", { name: member.name }),
              "ok"
            );
            loadTeam();
          } catch (err) {
            K.notice(message, K.errorText(err), "error");
            K.busy(button, false);
          }
        }
        approve.addEventListener("click", () => act("approve", undefined, approve));
        back.addEventListener("click", () => {
          if (!comment.value.trim()) {
            K.notice(message, t("Write why the SKP goes back."), "error");
            comment.focus();
            return;
          }
          act("return", { comment: comment.value.trim() }, back);
        });
        fill(
          box,
          skp.rhk.map(S.rhkBlock),
          el("label", {}, t("Note to the employee (required to return)"), comment),
          message,
          el("div", { class: "buttons" }, approve, back)
        );
      })
      .catch((err) => S.failed(box, err));
  }

  async function loadTeam() {
    fill("team-year", String(year));
    try {
      const page = await K.api("targets", "/skp/team?limit=200&year=" + year);
      if (!page.items.length) {
        fill("team", muted(t("Nobody reports to you directly.")));
        return;
      }
      const waiting = page.items.filter((m) => m.status === "submitted").length;
      const wrap = K.table([t("Name"), t("Position"), t("SKP status"), ""], [], []);
      for (const member of page.items) {
        const button =
          member.status === "submitted" ? el("button", { class: "button", type: "button", text: t("Review") }) : "";
        const name = el("a", { href: S.personHref(member.employee_id), text: member.name });
        const row = K.addRow(wrap, [name, member.position, badge("skpStatus", member.status), button], {
          dataset: { employeeId: member.employee_id },
        });
        if (button) {
          button.addEventListener("click", () => {
            button.disabled = true;
            review(member, row);
          });
        }
      }
      fill(
        "team",
        el("p", {}, waiting ? t("{n} SKP awaiting your approval.", { n: waiting }) : t("No SKP is awaiting your approval.")),
        wrap
      );
    } catch (err) {
      S.failed("team", err);
    }
  }

  // ------------------------------------------------------------ assessment to-do

  async function loadTodo() {
    try {
      const todo = await K.api("assessment", "/todo");
      fill(
        "todo",
        el("p", {}, t("Period {label} ({start} – {end})", { label: todo.period.label, start: fmt.date(todo.period.start), end: fmt.date(todo.period.end) })),
        todo.pending.length
          ? el(
              "ul",
              {},
              todo.pending.map((p) => el("li", {}, el("a", { href: S.personHref(p.employee_id), text: p.name }), " · " + p.position))
            )
          : muted(t("You have assessed everyone for this period.")),
        todo.peer_requests.length
          ? el("p", {}, el("a", { href: "/rekan", text: t("{n} peer assessment requests are waiting for you.", { n: todo.peer_requests.length }) }))
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
        fill("team-scores", muted(t("No team scores yet.")));
        return;
      }
      fill(
        "team-scores",
        K.table(
          [t("Name"), t("Achievement"), t("Projection"), t("Projected predikat"), t("Final predikat"), t("Last activity")],
          page.items.map((s) => [
            el("a", { href: S.personHref(s.employee_id), text: s.name }),
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
  SupervisorObjections.load("objections", me);
})();
