"use strict";
/* /admin/libur: the regency's holidays of a year (identity's /holidays/{year}), added and
   removed one by one (each change saves the whole year) or imported from CSV. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, t } = K;
  const KINDS = { libur_nasional: "National holiday", cuti_bersama: "Cuti bersama" };
  const yearNode = document.getElementById("holiday-year");
  const now = new Date().getFullYear();
  fill(yearNode, [now + 1, now, now - 1].map((y) => el("option", { value: y, text: y, selected: y === now })));
  let days = [];

  const year = () => Number(yearNode.value);

  function render() {
    if (!days.length) {
      fill("holidays", K.muted(t("No holidays recorded for {year}: only weekends are days off.", { year: year() })));
      return;
    }
    fill(
      "holidays",
      K.table(
        [t("Date"), t("Name"), t("Kind"), { label: t("Action"), csv: false }],
        days.map((h, i) => [
          K.fmt.date(h.day),
          h.name,
          t(KINDS[h.kind] || h.kind),
          el("button", { class: "button small", type: "button", "data-remove": i, text: t("Remove"), "aria-label": t("Remove {name}", { name: h.name }) }),
        ]),
        [],
        { csv: "hari-libur-" + year() }
      )
    );
  }

  async function load() {
    try {
      days = (await K.api("identity", "/holidays/" + year())).holidays;
      render();
    } catch (err) {
      fill("holidays", K.muted(K.errorText(err)));
    }
  }

  async function save(next, form, okText) {
    try {
      days = (await K.api("identity", "/holidays/" + year(), { method: "PUT", body: { holidays: next } })).holidays;
      render();
      K.notice("holiday-message", okText, "ok");
      return true;
    } catch (err) {
      K.form.errors(form, err, "holiday-message");
      return false;
    }
  }

  const form = document.getElementById("holiday-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    K.form.clear(form);
    const day = document.getElementById("holiday-day").value;
    const name = document.getElementById("holiday-name").value.trim();
    if (!day || !name) {
      K.notice("holiday-message", t("Fill in the date and the name."), "error");
      return;
    }
    const added = { day, name, kind: document.getElementById("holiday-kind").value };
    if (await save([...days, added], form, t("Holidays of {year} saved.", { year: year() }))) form.reset();
  });

  document.getElementById("holidays").addEventListener("click", (event) => {
    const button = event.target.closest("[data-remove]");
    if (!button) return;
    const index = Number(button.dataset.remove);
    save(days.filter((_, i) => i !== index), form, t("Holidays of {year} saved.", { year: year() }));
  });

  yearNode.addEventListener("change", load);
  K.csvImport(document.getElementById("holiday-import-form"), {
    path: () => "/import/holidays",
    file: "holiday-file",
    result: "import-result",
    after: load,
  });
  load();
})();
