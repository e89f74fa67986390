"use strict";
(() => {
  const loginForm = document.getElementById("login-form");
  const passwordForm = document.getElementById("password-form");
  const tenantInput = document.getElementById("tenant");
  // Only the regency's slug is remembered (never a credential).
  const remembered = window.localStorage.getItem("kinerja.tenant");
  if (remembered) tenantInput.value = remembered;
  if (new URLSearchParams(window.location.search).has("berakhir")) {
    K.notice("message", K.t("Your session has ended. Please log in again."));
  }
  let currentPassword = null;

  function go(profile) {
    const target = K.dashboardFor(profile);
    if (target) window.location.assign(target);
    else K.notice("message", K.t("This account has no dashboard in this application."), "error");
  }

  loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const tenant = tenantInput.value.trim().toLowerCase();
    const username = document.getElementById("username").value.trim();
    const password = document.getElementById("password").value;
    if (!username || !password) {
      K.notice("message", K.t("Fill in your NIP or username and your password."), "error");
      return;
    }
    const button = loginForm.querySelector("button");
    K.form.clear(loginForm);
    K.busy(button, true);
    try {
      const profile = await K.request("/api/gateway/session", {
        method: "POST",
        auth: false,
        body: { tenant: tenant || null, username, password },
      });
      if (tenant) window.localStorage.setItem("kinerja.tenant", tenant);
      if (profile.must_change_password) {
        currentPassword = password;
        loginForm.hidden = true;
        passwordForm.hidden = false;
        K.notice("message", "");
        document.getElementById("new-password").focus();
      } else {
        go(profile);
      }
    } catch (err) {
      if (err instanceof K.ApiError && err.status === 401) {
        K.form.clear(loginForm);
        K.notice("message", K.t("The regency, NIP/username or password is wrong."), "error");
      } else {
        K.form.errors(loginForm, err, "message");
      }
    } finally {
      K.busy(button, false);
    }
  });

  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    K.form.clear(passwordForm);
    const fresh = document.getElementById("new-password").value;
    const again = document.getElementById("new-password-again").value;
    if (fresh.length < 8) {
      K.notice("message", K.t("The new password needs at least 8 characters."), "error");
      return;
    }
    if (fresh !== again) {
      K.notice("message", K.t("The two new passwords are not the same."), "error");
      return;
    }
    const button = passwordForm.querySelector("button");
    K.busy(button, true);
    try {
      // The gateway changes it at identity and continues the session with the new tokens.
      const profile = await K.request("/api/gateway/session/password", {
        method: "POST",
        auth: false,
        body: { current_password: currentPassword, new_password: fresh },
      });
      go(profile);
    } catch (err) {
      K.form.errors(passwordForm, err, "message");
    } finally {
      K.busy(button, false);
    }
  });
})();
