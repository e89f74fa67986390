"use strict";
/* /profil: the reader's own e-mail contact (identity's /me/contact): the address, what to
   receive (each complaint at once, a daily summary of open alerts, nothing) and the
   language of the mails. */
(() => {
  const me = K.guard();
  if (!me) return;
  const form = document.getElementById("contact-form");

  function show(contact) {
    document.getElementById("contact-email").value = contact.email || "";
    document.getElementById("contact-" + contact.preference).checked = true;
    document.getElementById("contact-locale").value = contact.locale;
  }

  async function load() {
    try {
      show(await K.api("identity", "/me/contact"));
    } catch (err) {
      K.notice("contact-message", K.errorText(err), "error");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    K.form.clear(form);
    const email = document.getElementById("contact-email").value.trim();
    const body = {
      email: email || null,
      preference: form.querySelector('input[name="preference"]:checked').value,
      locale: document.getElementById("contact-locale").value,
    };
    try {
      show(await K.api("identity", "/me/contact", { method: "PUT", body }));
      K.notice("contact-message", K.t("Saved."), "ok");
    } catch (err) {
      K.form.errors(form, err, "contact-message");
    }
  });

  load();
})();
