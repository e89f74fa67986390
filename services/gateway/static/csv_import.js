"use strict";
/* A CSV import form of identity (units, employees, holidays): "Check (dry run)" and
   "Import" buttons (`data-dry-run`), the file, and the report: each bad line with
   identity's reason, already in the reader's language. Loaded after app.js, it adds
   K.csvImport(form, {path, file, result, after}). */
(() => {
  const { el, fill, t } = K;

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

  K.csvImport = (importForm, options) => {
    importForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const dryRun = event.submitter ? event.submitter.dataset.dryRun === "true" : true;
      const file = document.getElementById(options.file).files[0];
      const result = document.getElementById(options.result);
      if (!file) {
        fill(result, el("p", { class: "notice error", text: t("Choose a CSV file first.") }));
        return;
      }
      for (const b of importForm.querySelectorAll("button")) b.disabled = true;
      try {
        const report = await K.api("identity", options.path() + "?dry_run=" + dryRun, { method: "POST", body: await file.text(), contentType: "text/csv" });
        showReport(result, report);
        if (!report.dry_run) await options.after();
      } catch (err) {
        // A refused import (400) lists its bad lines in `detail`, as a dry run would.
        const lines = err instanceof K.ApiError && err.body && Array.isArray(err.body.detail) && err.body.detail[0] && err.body.detail[0].line !== undefined;
        if (lines) showReport(result, { dry_run: false, rows: null, created: 0, errors: err.body.detail });
        else fill(result, el("p", { class: "notice error", text: K.errorText(err) + (dryRun ? "" : " " + t("Nothing was saved.")) }));
      } finally {
        for (const b of importForm.querySelectorAll("button")) b.disabled = false;
      }
    });
  };
})();
