"use strict";
/* /platform: the operator lists the regencies and registers a new one with its first
   admin (identity's POST /tenants, then POST /tenants/{slug}/admins). No personal data. */
(() => {
  const me = K.guard();
  if (!me) return;
  const { el, fill, t } = K;
  const form = document.getElementById("regency-form");

  async function loadRegencies() {
    try {
      const page = await K.api("identity", "/tenants?limit=500");
      fill(
        "regencies",
        page.items.length
          ? K.table(
              [t("Name"), t("Slug"), t("Time zone"), t("Registered")],
              page.items.map((r) => [r.name, r.slug, r.time_zone, K.fmt.date(r.created_at)]),
              [],
              { export: { table: "kabupaten-kota" } }
            )
          : K.muted(t("No regency yet.")),
        page.total > page.items.length ? K.muted(t("{shown} of {total} regencies shown.", { shown: page.items.length, total: page.total })) : null
      );
    } catch (err) {
      fill("regencies", K.muted(K.errorText(err)));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const slug = value("regency-slug").toLowerCase();
    const name = value("regency-name");
    try {
      await K.api("identity", "/tenants", { method: "POST", body: { slug, name, time_zone: value("regency-tz") } });
    } catch (err) {
      K.form.errors(form, err, "regency-message");
      return;
    }
    try {
      await K.api("identity", "/tenants/" + encodeURIComponent(slug) + "/admins", {
        method: "POST",
        body: { username: value("admin-username"), password: document.getElementById("admin-password").value },
      });
      K.form.clear(form);
      form.reset();
      K.notice("regency-message", t("{name} registered with its first admin. The admin logs in with the slug {slug} and must change the password.", { name, slug }), "ok");
    } catch (err) {
      // The regency exists now: say so, so the operator retries only the admin.
      K.form.errors(form, err, "regency-message");
      K.notice("regency-message", t("{name} was registered, but its admin was not created: {problem}", { name, problem: K.errorText(err) }), "error");
    }
    loadRegencies();
  });

  loadRegencies();
})();
