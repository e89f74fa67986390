"use strict";
/* /admin/organisasi: BKPSDM manages the regency's units and employees: create, edit, move
   (unit, supervisor), deactivate, reset a password, designate duties, and the CSV import
   with its dry run. People and units are chosen by name, never typed as ids. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, label, muted, t } = K;
  let units = [];
  let staff = []; // active employees, for the supervisor and head pickers
  const unitName = (id) => (units.find((u) => u.id === id) || {}).name || "–";
  const personName = (id) => (staff.find((e) => e.id === id) || {}).name || "–";
  const DUTIES = { petugas_loket: "Counter officer", pengelola_pengaduan: "Complaint officer" };

  function options(select, items, chosen, blank) {
    fill(
      select,
      blank ? el("option", { value: "", text: blank }) : null,
      items.map(([value, text]) => el("option", { value, text, selected: value === chosen }))
    );
  }

  // ------------------------------------------------------------ units

  const unitForm = document.getElementById("unit-form");
  async function loadUnits() {
    const page = await K.api("identity", "/units?limit=500");
    units = page.items;
    fill(
      "units",
      units.length
        ? K.table(
            [t("Name"), t("Code"), t("Kind"), t("Parent unit"), t("Head of unit"), t("Serves the public"), t("Action")],
            units.map((u) => [
              u.name,
              u.code || "–",
              label("unitKind", u.kind),
              u.parent_id ? unitName(u.parent_id) : "–",
              u.head_employee_id ? personName(u.head_employee_id) : "–",
              u.serves_public ? t("Yes") : t("No"),
              el("button", { type: "button", class: "button", onclick: () => editUnit(u), text: t("Edit"), "aria-label": t("Edit {name}", { name: u.name }) }),
            ]),
            [],
            { export: { table: "unit-kerja" } }
          )
        : muted(t("No units yet. Add one below or import a CSV file.")),
      page.total > units.length ? muted(t("{shown} of {total} units shown.", { shown: units.length, total: page.total })) : null
    );
    resetUnitForm();
  }

  function resetUnitForm(unit) {
    const u = unit || {};
    document.getElementById("unit-id").value = u.id || "";
    document.getElementById("unit-name").value = u.name || "";
    document.getElementById("unit-code").value = u.code || "";
    document.getElementById("unit-public").checked = !!u.serves_public;
    options(document.getElementById("unit-kind"), Object.keys(K.LABELS.unitKind).map((k) => [k, label("unitKind", k)]), u.kind || "dinas");
    options(document.getElementById("unit-parent"), units.filter((x) => x.id !== u.id).map((x) => [x.id, x.name]), u.parent_id || "", t("(none: a top unit)"));
    options(document.getElementById("unit-head"), staff.map((e) => [e.id, e.name]), u.head_employee_id || "", t("(none)"));
    document.getElementById("unit-form-title").textContent = u.id ? t("Edit unit {name}", { name: u.name }) : t("New unit");
    K.form.clear(unitForm);
  }

  function editUnit(unit) {
    resetUnitForm(unit);
    document.getElementById("unit-name").focus();
  }

  unitForm.addEventListener("reset", (event) => {
    event.preventDefault();
    resetUnitForm();
  });
  unitForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = document.getElementById("unit-id").value;
    const body = {
      name: document.getElementById("unit-name").value.trim(),
      code: document.getElementById("unit-code").value.trim() || null,
      kind: document.getElementById("unit-kind").value,
      parent_id: document.getElementById("unit-parent").value || null,
      head_employee_id: document.getElementById("unit-head").value || null,
      serves_public: document.getElementById("unit-public").checked,
    };
    try {
      await K.api("identity", id ? "/units/" + id : "/units", { method: id ? "PATCH" : "POST", body });
      K.notice("unit-message", t("Unit {name} saved.", { name: body.name }), "ok");
      await loadUnits();
    } catch (err) {
      K.form.errors(unitForm, err, "unit-message");
    }
  });

  // ------------------------------------------------------------ employees

  async function loadStaff() {
    const page = await K.api("identity", "/employees?limit=500");
    staff = page.items;
  }

  // Several loads can be in flight (a search typed while a save reloads the list); only the
  // newest may fill the table, or an older answer arriving last would show a stale filter.
  let employeesAsked = 0;
  async function loadEmployees() {
    const asked = ++employeesAsked;
    const q = document.getElementById("employee-q").value.trim();
    const inactive = document.getElementById("employee-inactive").checked;
    try {
      const page = await K.api("identity", "/employees?limit=100" + (inactive ? "&include_inactive=true" : "") + (q ? "&q=" + encodeURIComponent(q) : ""));
      if (asked !== employeesAsked) return;
      fill(
        "employees",
        page.items.length
          ? K.table(
              [t("Name"), t("NIP"), t("Position"), t("Work unit"), t("Supervisor"), t("Status"), t("Action")],
              page.items.map((e) => [
                e.name,
                e.nip || "–",
                e.position,
                unitName(e.unit_id),
                e.supervisor_id ? personName(e.supervisor_id) : "–",
                e.active ? t("Active") : t("Inactive"),
                e.active ? actions(e) : "–",
              ]),
              [],
              { export: { table: "pegawai", params: Object.assign(inactive ? { include_inactive: "true" } : {}, q ? { q } : {}) } }
            )
          : muted(q ? t("No employee matches.") : t("No employees yet.")),
        page.total > page.items.length ? muted(t("{shown} of {total} employees shown.", { shown: page.items.length, total: page.total })) : null
      );
    } catch (err) {
      if (asked === employeesAsked) fill("employees", muted(K.errorText(err)));
    }
  }

  function actions(e) {
    // data-action: what the year-walk steps click, in any language.
    const button = (text, action, open) =>
      el("button", { type: "button", class: "button", onclick: () => open(e), text: t(text), "aria-label": t(text) + ": " + e.name, dataset: { action } });
    return el(
      "div",
      { class: "buttons" },
      button("Edit", "edit", editEmployee),
      button("Duties", "duties", editDuties),
      button("Reset password", "password", resetPassword),
      button("Deactivate", "deactivate", deactivate)
    );
  }

  function panel(title, body) {
    const box = document.getElementById("employee-panel");
    document.getElementById("employee-panel-title").textContent = title;
    fill("employee-panel-body", body);
    box.hidden = false;
    K.notice("employee-message", "");
    const first = box.querySelector("input, select, textarea, button");
    if (first) first.focus();
  }

  function closePanel(text) {
    document.getElementById("employee-panel").hidden = true;
    if (text) K.notice("employee-message", text, "ok");
  }

  function field(text, input) {
    return el("label", {}, text, " ", input);
  }

  function employeeFields(form, e) {
    const unitSelect = el("select", { name: "unit_id" });
    options(unitSelect, units.map((u) => [u.id, u.name]), e.unit_id || (units[0] || {}).id);
    const bossSelect = el("select", { name: "supervisor_id" });
    options(bossSelect, staff.filter((x) => x.id !== e.id).map((x) => [x.id, x.name + " · " + x.position]), e.supervisor_id || "", t("(none: top of the chain)"));
    fill(
      form,
      e.id ? null : field(t("NIP"), el("input", { name: "nip", inputmode: "numeric", maxlength: "18", required: true })),
      field(t("Name"), el("input", { name: "name", maxlength: "200", required: true, value: e.name || "" })),
      field(t("Position"), el("input", { name: "position", maxlength: "200", required: true, value: e.position || "" })),
      field(t("Work unit"), unitSelect),
      field(t("Supervisor"), bossSelect),
      e.id ? null : field(t("Initial password"), el("input", { name: "password", type: "password", autocomplete: "new-password", minlength: "8" })),
      el("div", { class: "buttons wide" }, el("button", { class: "button primary", type: "submit", text: e.id ? t("Save changes") : t("Add employee") }))
    );
  }

  function valueOf(form, name) {
    const input = form.querySelector('[name="' + name + '"]');
    return input ? input.value.trim() : "";
  }

  async function saveEmployee(form, e) {
    const body = {
      name: valueOf(form, "name"),
      position: valueOf(form, "position"),
      unit_id: valueOf(form, "unit_id"),
      supervisor_id: valueOf(form, "supervisor_id") || null,
    };
    if (!e.id) {
      body.nip = valueOf(form, "nip");
      body.password = valueOf(form, "password") || null;
    }
    try {
      await K.api("identity", e.id ? "/employees/" + e.id : "/employees", { method: e.id ? "PATCH" : "POST", body });
      await loadStaff();
      if (e.id) closePanel(t("{name} saved.", { name: body.name }));
      else {
        employeeFields(form, {});
        K.notice("employee-message", t("{name} added.", { name: body.name }), "ok");
      }
      loadEmployees();
    } catch (err) {
      K.form.errors(form, err, "employee-message");
    }
  }

  function employeeForm(e) {
    const form = e.id ? el("form", { class: "form grid", novalidate: true, id: "employee-edit" }) : document.getElementById("employee-form");
    employeeFields(form, e);
    if (!form.dataset.bound) {
      form.dataset.bound = "1";
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        saveEmployee(form, e);
      });
    }
    return form;
  }

  function editEmployee(e) {
    panel(t("Edit {name}", { name: e.name }), employeeForm(e));
  }

  async function editDuties(e) {
    let current = [];
    try {
      current = (await K.api("identity", "/employees/" + e.id + "/duties")).duties;
    } catch (err) {
      K.notice("employee-message", K.errorText(err), "error");
      return;
    }
    const boxes = Object.keys(DUTIES).map((d) => el("input", { type: "checkbox", name: "duty", value: d, checked: current.includes(d) }));
    const form = el(
      "form",
      { class: "form grid", novalidate: true, id: "duties-form" },
      muted(t("Duties are for employees of a unit that serves the public; they take effect at the employee's next login.")),
      Object.keys(DUTIES).map((d, i) => el("label", { class: "inline" }, boxes[i], " ", t(DUTIES[d]))),
      el("div", { class: "buttons wide" }, el("button", { class: "button primary", type: "submit", text: t("Save duties") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const duties = boxes.filter((b) => b.checked).map((b) => b.value);
      try {
        const saved = await K.api("identity", "/employees/" + e.id + "/duties", { method: "PUT", body: { duties } });
        const names = saved.duties.map((d) => t(DUTIES[d])).join(", ") || t("none");
        closePanel(t("Duties of {name}: {duties}.", { name: e.name, duties: names }));
      } catch (err) {
        K.form.errors(form, err, "employee-message");
      }
    });
    panel(t("Duties of {name}", { name: e.name }), form);
  }

  function resetPassword(e) {
    const input = el("input", { name: "password", type: "password", autocomplete: "new-password", minlength: "8", required: true });
    const form = el(
      "form",
      { class: "form grid", novalidate: true, id: "password-reset-form" },
      field(t("New initial password"), input),
      muted(t("The employee must change it at the next login.")),
      el("div", { class: "buttons wide" }, el("button", { class: "button primary", type: "submit", text: t("Reset password") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await K.api("identity", "/employees/" + e.id + "/password", { method: "POST", body: { password: input.value } });
        closePanel(t("The password of {name} was reset.", { name: e.name }));
      } catch (err) {
        K.form.errors(form, err, "employee-message");
      }
    });
    panel(t("Reset the password of {name}", { name: e.name }), form);
  }

  function deactivate(e) {
    const reason = el("textarea", { name: "reason", maxlength: "500", rows: "2" });
    const form = el(
      "form",
      { class: "form grid", novalidate: true, id: "deactivate-form" },
      field(t("Reason (for example: retired, transferred)"), reason),
      muted(t("The record and its history stay; the account can no longer log in.")),
      el("div", { class: "buttons wide" }, el("button", { class: "button danger", type: "submit", text: t("Deactivate") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await K.api("identity", "/employees/" + e.id + "/deactivate", { method: "POST", body: { reason: reason.value.trim() } });
        await loadStaff();
        closePanel(t("{name} was deactivated.", { name: e.name }));
        loadEmployees();
      } catch (err) {
        K.form.errors(form, err, "employee-message");
      }
    });
    panel(t("Deactivate {name}", { name: e.name }), form);
  }

  document.getElementById("employee-search").addEventListener("submit", (event) => {
    event.preventDefault();
    loadEmployees();
  });

  // ------------------------------------------------------------ CSV import

  const importForm = document.getElementById("import-form");
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const dryRun = event.submitter ? event.submitter.dataset.dryRun === "true" : true;
    const file = document.getElementById("import-file").files[0];
    const kind = document.getElementById("import-kind").value;
    const result = document.getElementById("import-result");
    if (!file) {
      fill(result, el("p", { class: "notice error", text: t("Choose a CSV file first.") }));
      return;
    }
    for (const b of importForm.querySelectorAll("button")) b.disabled = true;
    try {
      const report = await K.api("identity", "/import/" + kind + "?dry_run=" + dryRun, { method: "POST", body: await file.text(), contentType: "text/csv" });
      showReport(result, report);
      if (!report.dry_run) await refresh();
    } catch (err) {
      // A refused import (400) lists its bad lines in `detail`, as a dry run would.
      const lines = err instanceof K.ApiError && err.body && Array.isArray(err.body.detail) && err.body.detail[0] && err.body.detail[0].line !== undefined;
      if (lines) showReport(result, { dry_run: false, rows: null, created: 0, errors: err.body.detail });
      else fill(result, el("p", { class: "notice error", text: K.errorText(err) + (dryRun ? "" : " " + t("Nothing was saved.")) }));
    } finally {
      for (const b of importForm.querySelectorAll("button")) b.disabled = false;
    }
  });

  /* One line per problem: `reason` comes from identity already in the reader's language
     (rendered from its templates and parameters). */
  function showReport(result, report) {
    const ok = !report.errors.length;
    const head = report.dry_run
      ? t(ok ? "Dry run: {rows} rows checked, nothing saved, no problems." : "Dry run: {rows} rows checked, nothing saved, {bad} lines with problems:", { rows: report.rows, bad: report.errors.length })
      : ok
        ? t("Import: {rows} rows checked, {created} saved.", { rows: report.rows, created: report.created })
        : t("Import refused, nothing was saved: {bad} lines with problems:", { bad: report.errors.length });
    fill(
      result,
      el("p", { class: ok ? "notice ok" : "notice error", text: head }),
      ok ? null : el("ul", { class: "errors", id: "import-problems" }, report.errors.map((e) => el("li", { text: t("line {line}: {reason}", { line: e.line, reason: e.reason }) })))
    );
  }

  async function refresh() {
    try {
      await loadStaff();
      await loadUnits();
    } catch (err) {
      fill("units", muted(K.errorText(err)));
    }
    employeeForm({});
    loadEmployees();
  }

  refresh();
})();
