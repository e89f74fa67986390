"use strict";
(() => {
  const loginForm = document.getElementById("login-form");
  const passwordForm = document.getElementById("password-form");
  const tenantInput = document.getElementById("tenant");
  const remembered = window.localStorage.getItem("kinerja.tenant");
  if (remembered) tenantInput.value = remembered;
  if (new URLSearchParams(window.location.search).has("berakhir")) {
    K.notice("message", "Sesi Anda berakhir. Silakan masuk kembali.");
  }
  let credentials = null;

  function go() {
    const target = K.dashboardFor(K.session.claims());
    if (target) window.location.assign(target);
    else K.notice("message", "Akun ini tidak memiliki dasbor di aplikasi ini.", "error");
  }

  async function login(tenant, username, password) {
    const pair = await K.publicApi("identity", "/auth/login", {
      method: "POST",
      body: { tenant: tenant || null, username, password },
    });
    K.session.save(pair);
    return pair;
  }

  loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const tenant = tenantInput.value.trim().toLowerCase();
    const username = document.getElementById("username").value.trim();
    const password = document.getElementById("password").value;
    if (!username || !password) {
      K.notice("message", "Isi NIP/nama pengguna dan kata sandi.", "error");
      return;
    }
    const button = loginForm.querySelector("button");
    K.busy(button, true);
    try {
      const pair = await login(tenant, username, password);
      if (tenant) window.localStorage.setItem("kinerja.tenant", tenant);
      if (pair.must_change_password) {
        credentials = { tenant, username, password };
        loginForm.hidden = true;
        passwordForm.hidden = false;
        K.notice("message", "");
        document.getElementById("new-password").focus();
      } else {
        go();
      }
    } catch (err) {
      const text =
        err instanceof K.ApiError && err.status === 401
          ? "Kabupaten, NIP/nama pengguna, atau kata sandi salah."
          : K.errorText(err);
      K.notice("message", text, "error");
    } finally {
      K.busy(button, false);
    }
  });

  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fresh = document.getElementById("new-password").value;
    const again = document.getElementById("new-password-again").value;
    if (fresh.length < 8) {
      K.notice("message", "Kata sandi baru minimal 8 karakter.", "error");
      return;
    }
    if (fresh !== again) {
      K.notice("message", "Kedua kata sandi baru tidak sama.", "error");
      return;
    }
    const button = passwordForm.querySelector("button");
    K.busy(button, true);
    try {
      await K.api("identity", "/auth/password", {
        method: "POST",
        body: { current_password: credentials.password, new_password: fresh },
      });
      // Changing the password revokes every session: log in again with the new one.
      await login(credentials.tenant, credentials.username, fresh);
      go();
    } catch (err) {
      K.notice("message", K.errorText(err), "error");
    } finally {
      K.busy(button, false);
    }
  });
})();
