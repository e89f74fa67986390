"use strict";
/* The SKP editor of /pegawai: RHK (utama/tambahan, the supervisor's approved RHK each one
   supports) and their indicators, saved as the draft (PUT) and submitted. Field names
   follow the API's 422 locations (rhk.0.indicators.1.target), so each problem lands next
   to its field; refusals that name an RHK (its title) land next to that RHK's fields. */
Pegawai.editor = (() => {
  const { el, t } = K;
  // The units targets accepts (services/targets/domain.py ALLOWED_UNITS): data, shown as is.
  const UNITS = ["dokumen", "orang", "%", "persen", "hari", "jam", "menit", "kegiatan", "laporan", "berkas",
    "unit", "rupiah", "paket", "kali", "surat", "layanan", "aplikasi", "naskah", "rekomendasi", "lokasi", "bulan"];
  const CHOICES = {
    kind: ["utama", "tambahan"],
    aspect: ["kuantitas", "kualitas", "waktu", "biaya"],
    direction: ["higher", "lower"],
    aggregation: ["sum", "mean", "latest"],
  };
  let model = [];
  let parents = [];
  let formNode = null;

  const blankIndicator = () => ({ name: "", aspect: "kuantitas", target: "", unit: "dokumen", direction: "higher", aggregation: "sum", weight: null });
  const blankRhk = (kind) => ({ title: "", kind: kind || "utama", parent_rhk_id: null, indicators: [blankIndicator()] });

  function select(name, values, current, text) {
    return el("select", { name }, values.map((v) => el("option", { value: v, text: text(v), selected: String(current) === String(v) })));
  }
  function field(labelText, control, cls) {
    return el("label", { class: cls || null }, labelText, control);
  }

  function indicatorFields(i, j, ind) {
    const at = "rhk." + i + ".indicators." + j + ".";
    const remove = el("button", { type: "button", class: "button", text: t("Remove indicator") });
    remove.addEventListener("click", () => change(() => model[i].indicators.splice(j, 1)));
    return el(
      "fieldset",
      { class: "indicator-edit form grid", dataset: { indicatorId: ind.indicator_id || "" } },
      el("legend", { text: t("Indicator {n}", { n: j + 1 }) }),
      field(t("Indicator"), el("input", { name: at + "name", value: ind.name, maxlength: 300, required: true }), "wide"),
      field(t("Aspect"), select(at + "aspect", CHOICES.aspect, ind.aspect, (v) => K.label("aspect", v))),
      field(t("Target"), el("input", { name: at + "target", type: "number", min: "0", step: "any", inputmode: "decimal", value: ind.target })),
      field(t("Unit"), select(at + "unit", UNITS, ind.unit, (v) => v)),
      field(t("Direction"), select(at + "direction", CHOICES.direction, ind.direction, (v) => K.label("direction", v))),
      field(t("Aggregation"), select(at + "aggregation", CHOICES.aggregation, ind.aggregation, (v) => K.label("aggregation", v))),
      field(t("Weight (optional)"), el("input", { name: at + "weight", type: "number", min: "0", step: "any", inputmode: "decimal", value: ind.weight === null || ind.weight === undefined ? "" : ind.weight })),
      model[i].indicators.length > 1 ? remove : null
    );
  }

  function rhkFields(r, i) {
    const at = "rhk." + i + ".";
    const parentSelect = el(
      "select",
      { name: at + "parent_rhk_id" },
      el("option", { value: "", text: t("— does not support a supervisor's RHK —") }),
      parents.map((p) => el("option", { value: p.rhk_id, text: p.title, selected: p.rhk_id === r.parent_rhk_id }))
    );
    const addIndicator = el("button", { type: "button", class: "button add-indicator", text: t("Add indicator") });
    addIndicator.addEventListener("click", () => change(() => model[i].indicators.push(blankIndicator())));
    const remove = el("button", { type: "button", class: "button", text: t("Remove RHK") });
    remove.addEventListener("click", () => change(() => model.splice(i, 1)));
    return el(
      "fieldset",
      { class: "rhk-edit", dataset: { rhkId: r.rhk_id || "" } },
      el("legend", { text: t("RHK {n}", { n: i + 1 }) }),
      el(
        "div",
        { class: "form grid" },
        field(t("Work result (RHK)"), el("textarea", { name: at + "title", rows: 2, maxlength: 500, text: r.title }), "wide"),
        field(t("Kind"), select(at + "kind", CHOICES.kind, r.kind, (v) => K.label("kind", v))),
        field(t("Supports the supervisor's RHK"), parentSelect, "wide")
      ),
      r.indicators.map((ind, j) => indicatorFields(i, j, ind)),
      el("div", { class: "buttons" }, addIndicator, remove)
    );
  }

  /* The form's values back into the model (before any change of its shape, and to save). */
  function collect() {
    const value = (name) => {
      const node = formNode.querySelector('[name="' + CSS.escape(name) + '"]');
      return node ? node.value : "";
    };
    model = model.map((r, i) => ({
      rhk_id: r.rhk_id || null,
      title: value("rhk." + i + ".title").trim(),
      kind: value("rhk." + i + ".kind"),
      parent_rhk_id: value("rhk." + i + ".parent_rhk_id") || null,
      indicators: r.indicators.map((ind, j) => {
        const at = "rhk." + i + ".indicators." + j + ".";
        const target = value(at + "target");
        const weight = value(at + "weight");
        return {
          indicator_id: ind.indicator_id || null,
          name: value(at + "name").trim(),
          aspect: value(at + "aspect"),
          target: target === "" ? null : Number(target),
          unit: value(at + "unit"),
          direction: value(at + "direction"),
          aggregation: value(at + "aggregation"),
          weight: weight === "" ? null : Number(weight),
        };
      }),
    }));
    return model;
  }

  function change(mutate) {
    collect();
    mutate();
    draw();
  }

  function draw() {
    const addRhk = el("button", { type: "button", class: "button", id: "skp-add-rhk", text: t("Add RHK") });
    addRhk.addEventListener("click", () => change(() => model.push(blankRhk(model.length ? "tambahan" : "utama"))));
    K.fill(formNode, model.map(rhkFields), el("div", { class: "buttons" }, addRhk));
  }

  /* A refusal that names an RHK by its title goes beside that RHK's fields. */
  const REASON_FIELD = {
    "RHK “{title}”: parent_rhk_id {parent} is not an RHK of your direct supervisor's approved SKP of the same year": "parent_rhk_id",
  };
  function placeReason(err) {
    const reason = err instanceof K.ApiError ? err.reason : null;
    if (!reason) return;
    let name = null;
    if (REASON_FIELD[reason.message]) {
      const i = model.findIndex((r) => r.title === reason.params.title);
      if (i >= 0) name = "rhk." + i + "." + REASON_FIELD[reason.message];
    } else if (reason.message === "an SKP needs at least one RHK of kind 'utama' before submission") {
      name = "rhk.0.kind";
    }
    const input = name ? formNode.querySelector('[name="' + CSS.escape(name) + '"]') : null;
    if (!input) return;
    const id = "skp-form-reason";
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    input.insertAdjacentElement("afterend", el("span", { class: "field-error", id, text: err.detail }));
  }

  /* 422 items beside their fields by their full location (K.form matches the last part of
     loc only, which repeats here), the rest in the notice. */
  function showErrors(err, noticeId) {
    K.form.clear(formNode);
    const items = err instanceof K.ApiError && err.body && Array.isArray(err.body.detail) ? err.body.detail : [];
    let unplaced = 0;
    items.forEach((item, n) => {
      const name = (item.loc || []).filter((p) => p !== "body").join(".");
      const input = formNode.querySelector('[name="' + CSS.escape(name) + '"]');
      if (!input) {
        unplaced += 1;
        return;
      }
      const id = "skp-form-error-" + n;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.insertAdjacentElement("afterend", el("span", { class: "field-error", id, text: item.msg || "" }));
    });
    if (!items.length) placeReason(err);
    K.notice(noticeId, items.length && !unplaced ? t("Some fields are not right yet") : K.errorText(err), "error");
  }

  async function save() {
    collect();
    K.form.clear(formNode);
    return K.api("targets", "/skp/" + Pegawai.skp.id, { method: "PUT", body: { rhk: model } });
  }

  async function loadParents(year) {
    try {
      parents = await K.api("targets", "/skp/parent-options?year=" + year);
    } catch (err) {
      parents = [];
    }
  }

  /* The editor for the draft `skp` into `container`, with Save and Submit. */
  async function render(container, skp, noticeId) {
    await loadParents(skp.year);
    model = skp.rhk.length ? JSON.parse(JSON.stringify(skp.rhk)) : [blankRhk("utama")];
    formNode = el("form", { id: "skp-form", class: "skp-form", novalidate: true });
    formNode.addEventListener("submit", (e) => e.preventDefault());
    draw();
    const saveButton = el("button", { type: "button", class: "button", id: "skp-save", text: t("Save draft") });
    const submitButton = el("button", { type: "button", class: "button primary", id: "skp-submit", text: t("Submit to my supervisor") });
    saveButton.addEventListener("click", async () => {
      K.busy(saveButton, true);
      try {
        await save();
        K.notice(noticeId, t("Draft saved."), "ok");
        await Pegawai.reload();
      } catch (err) {
        showErrors(err, noticeId);
      } finally {
        K.busy(saveButton, false);
      }
    });
    submitButton.addEventListener("click", async () => {
      K.busy(submitButton, true);
      try {
        await save();
        await K.api("targets", "/skp/" + skp.id + "/submit", { method: "POST" });
        K.notice(noticeId, t("The SKP was submitted to your supervisor."), "ok");
        await Pegawai.reload();
      } catch (err) {
        showErrors(err, noticeId);
      } finally {
        K.busy(submitButton, false);
      }
    });
    K.fill(container, formNode, el("div", { class: "buttons" }, saveButton, submitButton));
  }

  return { render };
})();
