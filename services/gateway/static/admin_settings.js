"use strict";
/* /admin/pengaturan: the regency's settings (every field of identity's TenantSettings, each
   with a label and a line of help) and the kepala daerah account (identity's
   /kepala-daerah routes). */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, t } = K;

  /* name -> [kind, label, help, extra]: kind number (with min/max/step), bool, or choice. */
  const SETTINGS = [
    ["evaluation_cadence", "choice", "Periodic assessment cadence", "How often supervisors assess during the year, besides the annual assessment.", { monthly: "Monthly", quarterly: "Quarterly" }],
    ["rating_above_threshold", "number", "Threshold for above expectations (%)", "A projected achievement at or above this is shown as above expectations (default 110).", { min: 1, max: 200, step: 0.1 }],
    ["rating_meets_threshold", "number", "Threshold for as expected (%)", "A projected achievement at or above this (and below the one above) is as expected (default 90).", { min: 1, max: 200, step: 0.1 }],
    ["achievement_cap", "number", "Achievement cap (%)", "An indicator's achievement counts at most this much (default 120).", { min: 100.1, max: 200, step: 0.1 }],
    ["count_tambahan_in_overall", "bool", "Count additional RHK in the overall achievement", "Without it only the main RHK count."],
    ["behaviour_above_min_count", "number", "Values above expectations for an overall 'above'", "Overall behaviour is above expectations when at least this many of the seven values are, and none below (default 4).", { min: 1, max: 7, step: 1 }],
    ["activity_edit_window_days", "number", "Activity edit window (days)", "How many days an employee may still edit or delete a logged activity (default 7).", { min: 0, max: 90, step: 1 }],
    ["min_survey_sample", "number", "Minimum survey sample", "Below this many responses a unit's IKM is marked provisional (Krejcie–Morgan: 384 for large populations).", { min: 1, max: 1000000, step: 1 }],
    ["min_aggregate_size", "number", "Smallest group for figures about people", "A figure over people shown outside their supervisor chain needs at least this many contributors (default 5).", { min: 2, max: 100, step: 1 }],
    ["survey_tokens_per_issuer_per_day", "number", "Survey tokens per counter officer per day", "A daily cap per issuer, to spot self-surveys (default 200).", { min: 1, max: 10000, step: 1 }],
    ["legacy_score_enabled", "bool", "Compute the legacy numeric score (PP 46/2011)", "For regencies that still use it for allowances (TPP)."],
    // The legacy score's behaviour: each BerAKHLAK rating's points (one setting, a mapping).
    ["legacy_points_di_atas", "point", "Legacy score: points for a value above expectations", "Behaviour (0–100) is the mean of the seven BerAKHLAK ratings in these points (default 91).", { key: "di_atas", min: 0, max: 100, step: 0.1 }],
    ["legacy_points_sesuai", "point", "Legacy score: points for a value as expected", "Default 76.", { key: "sesuai", min: 0, max: 100, step: 0.1 }],
    ["legacy_points_di_bawah", "point", "Legacy score: points for a value below expectations", "Default 51.", { key: "di_bawah", min: 0, max: 100, step: 0.1 }],
  ];
  const POINTS = "legacy_behaviour_points";
  const valueOf = (settings, name, kind, extra) => (kind === "point" ? (settings[POINTS] || {})[extra.key] : settings[name]);

  const settingsForm = document.getElementById("settings-form");
  let saved = {};

  function input(name, kind, value, extra) {
    const id = "setting-" + name;
    const help = id + "-help";
    if (kind === "bool") return el("input", { type: "checkbox", id, name, checked: !!value, "aria-describedby": help });
    if (kind === "choice") {
      return el("select", { id, name, "aria-describedby": help }, Object.entries(extra).map(([v, text]) => el("option", { value: v, text: t(text), selected: v === value })));
    }
    return el("input", { type: "number", id, name, value: String(value), min: extra.min, max: extra.max, step: extra.step, inputmode: extra.step < 1 ? "decimal" : "numeric", "aria-describedby": help });
  }

  function renderSettings(settings) {
    saved = settings;
    fill(
      settingsForm,
      SETTINGS.map(([name, kind, text, help, extra]) =>
        el(
          "div",
          { class: "setting" },
          el("label", { for: "setting-" + name, class: kind === "bool" ? "inline" : null }, kind === "bool" ? input(name, kind, settings[name], extra) : null, " ", t(text)),
          kind === "bool" ? null : input(name, kind, valueOf(settings, name, kind, extra), extra),
          el("p", { class: "muted small", id: "setting-" + name + "-help", text: t(help) })
        )
      ),
      el("div", { class: "buttons wide" }, el("button", { class: "button primary", type: "submit", text: t("Save settings") }))
    );
  }

  async function loadSettings() {
    try {
      renderSettings((await K.api("identity", "/tenant")).settings);
    } catch (err) {
      fill(settingsForm, K.muted(K.errorText(err)));
    }
  }

  settingsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changes = {};
    const points = Object.assign({}, saved[POINTS]);
    for (const [name, kind, , , extra] of SETTINGS) {
      const node = settingsForm.querySelector('[name="' + name + '"]');
      const value = kind === "bool" ? node.checked : kind === "choice" ? node.value : Number(node.value);
      if ((kind === "number" || kind === "point") && (node.value.trim() === "" || Number.isNaN(value))) {
        K.notice("settings-message", t("Fill in every number."), "error");
        node.focus();
        return;
      }
      if (kind === "point") {
        if (value !== points[extra.key]) changes[POINTS] = Object.assign(points, { [extra.key]: value });
        continue;
      }
      // Only what changed goes: a patch of one field cannot undo a colleague's other edit.
      if (value !== saved[name]) changes[name] = value;
    }
    if (!Object.keys(changes).length) {
      K.notice("settings-message", t("Nothing changed."), "ok");
      return;
    }
    try {
      renderSettings((await K.api("identity", "/tenant/settings", { method: "PATCH", body: changes })).settings);
      K.notice("settings-message", t("Settings saved."), "ok");
    } catch (err) {
      K.form.errors(settingsForm, err, "settings-message");
    }
  });

  // ------------------------------------------------------------ kepala daerah

  const kdForm = document.getElementById("kd-form");
  let kd = null;

  async function loadKd() {
    try {
      kd = await K.api("identity", "/kepala-daerah");
    } catch (err) {
      kd = null;
      if (!(err instanceof K.ApiError && err.status === 404)) {
        fill("kd-current", K.muted(K.errorText(err)));
        return;
      }
    }
    showKd();
  }

  function showKd() {
    fill("kd-current", kd ? el("p", { id: "kd-summary", text: t("{title}: {name} (username {username}).", { title: kd.title, name: kd.name, username: kd.username || "–" }) }) : K.muted(t("The regency has no kepala daerah account yet.")));
    document.getElementById("kd-title").value = kd ? kd.title : "";
    document.getElementById("kd-name").value = kd ? kd.name : "";
    const user = document.getElementById("kd-username");
    user.value = kd ? kd.username || "" : "";
    user.disabled = !!kd; // the login name stays; a new head gets a new account
    document.getElementById("kd-password").required = !kd;
  }

  kdForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    try {
      if (kd) {
        kd = await K.api("identity", "/kepala-daerah/" + kd.user_id, { method: "PATCH", body: { title: value("kd-title"), name: value("kd-name") } });
        const password = document.getElementById("kd-password").value;
        if (password) await K.api("identity", "/kepala-daerah/" + kd.user_id + "/password", { method: "POST", body: { password } });
      } else {
        kd = await K.api("identity", "/kepala-daerah", {
          method: "POST",
          body: { title: value("kd-title"), name: value("kd-name"), username: value("kd-username"), password: document.getElementById("kd-password").value },
        });
      }
      document.getElementById("kd-password").value = "";
      showKd();
      K.form.clear(kdForm);
      K.notice("kd-message", t("Kepala daerah account saved."), "ok");
    } catch (err) {
      K.form.errors(kdForm, err, "kd-message");
    }
  });

  loadSettings();
  loadKd();
})();
