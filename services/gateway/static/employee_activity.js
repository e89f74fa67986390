"use strict";
/* The activity log of /pegawai: log an entry, edit or delete one. Every change names the
   revision it was read at: when the entry changed elsewhere (409 with the revision guard's
   reason) the page says so and offers to reload, never overwrites silently. */
Pegawai.activities = (() => {
  const { el, fill, fmt, muted, t } = K;
  const REVISION_MOVED = "the activity entry changed since revision {revision}; reload it and apply your change again";
  const formNode = document.getElementById("activity-form");
  const field = (id) => document.getElementById(id);
  let editing = null; // the entry being edited: {id, revision}

  function show(content) {
    const ready = !!(content && content.length);
    formNode.hidden = !ready;
    field("activity-hint").hidden = ready;
    if (!ready) return;
    fill(
      "activity-indicator",
      content.map((r) => el("optgroup", { label: r.title }, r.indicators.map((i) => el("option", { value: i.indicator_id, text: i.name + " (" + i.unit + ")" }))))
    );
    reset();
  }

  function reset() {
    editing = null;
    field("activity-date").value = K.today();
    for (const id of ["activity-value", "activity-note", "activity-evidence"]) field(id).value = "";
    field("activity-indicator").disabled = false;
    field("activity-save").textContent = t("Save activity");
    field("activity-cancel").hidden = true;
    K.form.clear(formNode);
  }

  /* A refusal of a change: the revision guard's 409 gets its own words and a reload. */
  function refused(err) {
    if (err instanceof K.ApiError && err.status === 409 && err.reason && err.reason.message === REVISION_MOVED) {
      const reload = el("button", { type: "button", class: "button", id: "activity-reload", text: t("Reload") });
      reload.addEventListener("click", async () => {
        K.notice("activity-message", "");
        reset();
        await load();
      });
      const box = field("activity-message");
      K.notice(box, t("This entry was changed elsewhere (another tab or device). Reload to see its current state, then make your change again."), "error");
      box.append(" ", reload);
      return;
    }
    K.form.errors(formNode, err, "activity-message");
  }

  formNode.addEventListener("submit", async (event) => {
    event.preventDefault();
    K.form.clear(formNode);
    const value = field("activity-value").value;
    const evidence = field("activity-evidence").value.trim();
    const body = {
      activity_date: field("activity-date").value || null,
      value: value === "" ? null : Number(value),
      note: field("activity-note").value.trim(),
      evidence_url: evidence || null,
    };
    const button = field("activity-save");
    K.busy(button, true);
    try {
      if (editing) {
        await K.api("targets", "/activities/" + editing.id, { method: "PATCH", body: { ...body, revision: editing.revision } });
        K.notice("activity-message", t("The activity was changed."), "ok");
      } else {
        await K.api("targets", "/activities", {
          method: "POST",
          body: { ...body, skp_id: Pegawai.skp.id, indicator_id: field("activity-indicator").value },
        });
        K.notice("activity-message", t("The activity was saved."), "ok");
      }
      reset();
      await Promise.all([load(), Pegawai.reloadScores ? Pegawai.reloadScores() : null]);
    } catch (err) {
      refused(err);
    } finally {
      K.busy(button, false);
    }
  });
  field("activity-cancel").addEventListener("click", reset);

  function edit(a) {
    editing = { id: a.id, revision: a.revision };
    field("activity-indicator").value = a.indicator_id;
    field("activity-indicator").disabled = true; // an entry keeps its indicator
    field("activity-date").value = a.activity_date;
    field("activity-value").value = a.value;
    field("activity-note").value = a.note || "";
    field("activity-evidence").value = a.evidence_url || "";
    field("activity-save").textContent = t("Save changes");
    field("activity-cancel").hidden = false;
    formNode.scrollIntoView({ block: "start" });
    field("activity-value").focus();
  }

  /* Delete asks once more on the same button (no dialog): the second click deletes. */
  function deleteButton(a, ind) {
    const button = el("button", { type: "button", class: "button", text: t("Delete"), "aria-label": t("Delete the entry of {date}", { date: fmt.date(a.activity_date) }) });
    let armed = false;
    button.addEventListener("click", async () => {
      if (!armed) {
        armed = true;
        button.textContent = t("Really delete?");
        button.setAttribute("aria-label", t("Really delete the entry of {date}?", { date: fmt.date(a.activity_date) }));
        return;
      }
      K.busy(button, true);
      try {
        await K.api("targets", "/activities/" + a.id + "?revision=" + a.revision, { method: "DELETE" });
        K.notice("activity-message", t("The entry of {date} ({indicator}) was deleted.", { date: fmt.date(a.activity_date), indicator: ind ? ind.name : "" }), "ok");
        await load();
      } catch (err) {
        refused(err);
        K.busy(button, false);
      }
    });
    return button;
  }

  async function load() {
    const skp = Pegawai.skp;
    if (!skp) {
      fill("activities", muted(t("No activities yet.")));
      return;
    }
    try {
      const page = await K.api("targets", "/activities?limit=50&skp_id=" + encodeURIComponent(skp.id));
      if (!page.items.length) {
        fill("activities", muted(t("No activities logged yet.")));
        return;
      }
      const wrap = K.table([t("Date"), t("Indicator"), t("Value"), t("Note"), t("Evidence"), t("Actions")], [], [2]);
      for (const a of page.items) {
        const ind = Pegawai.indicators.get(a.indicator_id);
        const change = el("button", { type: "button", class: "button", text: t("Edit"), "aria-label": t("Edit the entry of {date}", { date: fmt.date(a.activity_date) }) });
        change.addEventListener("click", () => edit(a));
        K.addRow(
          wrap,
          [
            fmt.date(a.activity_date),
            ind ? ind.name : t("(indicator no longer in the SKP)"),
            fmt.num(a.value) + (ind ? " " + ind.unit : ""),
            a.note || "–",
            a.evidence_url ? el("a", { href: a.evidence_url, rel: "noopener noreferrer", target: "_blank", text: t("Open") }) : "–",
            el("div", { class: "buttons" }, change, deleteButton(a, ind)),
          ],
          { dataset: { activityId: a.id } }
        );
      }
      fill(
        "activities",
        wrap,
        page.total > page.items.length ? muted(t("{shown} of {total} latest activities.", { shown: page.items.length, total: page.total })) : null
      );
    } catch (err) {
      fill("activities", el("p", { class: "errors", text: K.errorText(err) }));
    }
  }

  return { show, load };
})();
