"use strict";
/* Kinerja: what every page shares. The access token lives in sessionStorage (gone when
   the tab closes) and is refreshed with the refresh token. The DOM is built with
   textContent only: nothing that comes from an API is ever parsed as HTML. */
const K = (() => {
  const store = window.sessionStorage;
  const ACCESS = "kinerja.access";
  const REFRESH = "kinerja.refresh";

  function decode(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const json = decodeURIComponent(
        atob(part).split("").map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join("")
      );
      return JSON.parse(json);
    } catch (e) {
      return null;
    }
  }

  const session = {
    save(pair) {
      store.setItem(ACCESS, pair.access_token);
      store.setItem(REFRESH, pair.refresh_token);
    },
    access: () => store.getItem(ACCESS),
    refresh: () => store.getItem(REFRESH),
    clear() {
      store.removeItem(ACCESS);
      store.removeItem(REFRESH);
    },
    claims() {
      const token = store.getItem(ACCESS);
      return token ? decode(token) : null;
    },
  };

  class ApiError extends Error {
    constructor(status, detail, reason) {
      super(detail || "HTTP " + status);
      this.status = status;
      this.detail = detail;
      // The refusal's English template and parameters: what a page matches on, since
      // `detail` comes in the reader's language.
      this.reason = reason || null;
    }
  }

  function detailText(detail) {
    if (detail === undefined || detail === null) return "";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail
        .map((d) => {
          if (d.line !== undefined) return "baris " + d.line + ": " + d.reason;
          const where = (d.loc || []).filter((p) => p !== "body").join(".");
          return (where ? where + ": " : "") + (d.msg || JSON.stringify(d));
        })
        .join("; ");
    }
    return JSON.stringify(detail);
  }

  const STATUS_TEXT = {
    400: "Permintaan tidak dapat diproses",
    401: "Sesi Anda berakhir. Silakan masuk kembali",
    403: "Anda tidak berwenang untuk tindakan ini",
    404: "Data tidak ditemukan",
    409: "Tidak sesuai dengan keadaan data saat ini",
    413: "Berkas terlalu besar",
    422: "Isian belum benar",
    429: "Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi",
    502: "Layanan sedang mengalami gangguan",
    503: "Layanan sedang tidak tersedia",
  };

  function errorText(err) {
    if (err instanceof ApiError) {
      const head = STATUS_TEXT[err.status] || "Terjadi kesalahan (" + err.status + ")";
      return err.detail ? head + ". " + err.detail : head + ".";
    }
    return "Tidak dapat terhubung ke server. Periksa koneksi internet Anda.";
  }

  let refreshing = null;
  function refresh() {
    if (!session.refresh()) return Promise.resolve(false);
    if (!refreshing) {
      refreshing = fetch("/api/identity/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ refresh_token: session.refresh() }),
      })
        .then(async (r) => {
          if (!r.ok) return false;
          session.save(await r.json());
          return true;
        })
        .catch(() => false)
        .finally(() => {
          refreshing = null;
        });
    }
    return refreshing;
  }

  async function request(url, { method = "GET", body, auth = true, contentType } = {}) {
    const send = () => {
      const headers = { Accept: "application/json" };
      if (auth && session.access()) headers.Authorization = "Bearer " + session.access();
      let payload;
      if (body !== undefined) {
        if (contentType) {
          headers["Content-Type"] = contentType;
          payload = body;
        } else {
          headers["Content-Type"] = "application/json";
          payload = JSON.stringify(body);
        }
      }
      return fetch(url, { method, headers, body: payload });
    };
    let response = await send();
    if (response.status === 401 && auth && (await refresh())) response = await send();
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = text;
      }
    }
    if (!response.ok) {
      if (response.status === 401 && auth) expired();
      const body = data && typeof data === "object" ? data : null;
      throw new ApiError(response.status, body ? detailText(body.detail) : "", body && body.reason);
    }
    return data;
  }

  const api = (service, path, options) => request("/api/" + service + path, options);
  const publicApi = (service, path, options) =>
    request("/api/" + service + path, Object.assign({ auth: false }, options || {}));

  function expired() {
    session.clear();
    window.location.assign("/?berakhir=1");
  }

  // ------------------------------------------------------------ DOM

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fill(target, ...children) {
    const node = typeof target === "string" ? document.getElementById(target) : target;
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined));
    return node;
  }

  function table(headers, rows, numeric) {
    const nums = new Set(numeric || []);
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        {},
        el("thead", {}, el("tr", {}, headers.map((h, i) => el("th", { class: nums.has(i) ? "num" : null, text: h })))),
        el(
          "tbody",
          {},
          rows.map((cells) =>
            el("tr", {}, cells.map((c, i) => el("td", { class: nums.has(i) ? "num" : null }, c)))
          )
        )
      )
    );
  }

  function notice(target, text, kind) {
    const node = typeof target === "string" ? document.getElementById(target) : target;
    if (!text) {
      node.hidden = true;
      node.textContent = "";
      return;
    }
    node.className = "notice" + (kind ? " " + kind : "");
    node.textContent = text;
    node.hidden = false;
  }

  const muted = (text) => el("p", { class: "muted", text });

  // ------------------------------------------------------------ words and numbers

  const LABELS = {
    skpStatus: {
      draft: "Draf",
      submitted: "Menunggu persetujuan",
      approved: "Disetujui",
      missing: "Belum dibuat",
    },
    rating: { di_atas: "Di atas ekspektasi", sesuai: "Sesuai ekspektasi", di_bawah: "Di bawah ekspektasi" },
    predikat: {
      sangat_baik: "Sangat Baik",
      baik: "Baik",
      butuh_perbaikan: "Butuh Perbaikan",
      kurang: "Kurang",
      sangat_kurang: "Sangat Kurang",
    },
    aspect: { kuantitas: "Kuantitas", kualitas: "Kualitas", waktu: "Waktu", biaya: "Biaya" },
    direction: { higher: "makin tinggi makin baik", lower: "makin rendah makin baik" },
    kind: { utama: "Utama", tambahan: "Tambahan" },
    alertKind: {
      behind_target: "Di bawah target",
      silent: "Belum ada kegiatan",
      complaint: "Pengaduan",
      satisfaction: "Kepuasan masyarakat",
      assessment_due: "Penilaian segera jatuh tempo",
      predikat_drop: "Predikat turun",
    },
    complaintStatus: {
      received: "Diterima",
      verified: "Diverifikasi",
      in_progress: "Sedang ditindaklanjuti",
      resolved: "Selesai",
      rejected: "Ditolak",
      not_our_authority: "Bukan kewenangan kami",
      archived: "Diarsipkan",
    },
    unitKind: {
      dinas: "Dinas",
      badan: "Badan",
      kantor: "Kantor",
      kecamatan: "Kecamatan",
      kelurahan: "Kelurahan",
      desa: "Desa",
      counter: "Loket layanan",
    },
  };
  const label = (group, value) => (value === null || value === undefined ? "–" : LABELS[group][value] || value);

  function badge(group, value, cls) {
    return el("span", { class: "badge " + (cls || value || ""), text: label(group, value) });
  }

  const fmt = {
    num(value, digits) {
      if (value === null || value === undefined) return "–";
      return Number(value).toLocaleString("id-ID", { maximumFractionDigits: digits === undefined ? 2 : digits });
    },
    pct(value) {
      return value === null || value === undefined ? "–" : fmt.num(value, 1) + "%";
    },
    date(iso) {
      if (!iso) return "–";
      const d = iso.length === 10 ? new Date(iso + "T00:00:00") : new Date(iso);
      return d.toLocaleDateString("id-ID", { day: "numeric", month: "short", year: "numeric" });
    },
    time(iso) {
      return new Date(iso).toLocaleString("id-ID", { dateStyle: "medium", timeStyle: "short" });
    },
  };

  function today() {
    const d = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function yearSelect(id, onChange) {
    const select = document.getElementById(id);
    const now = new Date().getFullYear();
    fill(select, [now, now - 1, now - 2].map((y) => el("option", { value: y, text: y })));
    select.addEventListener("change", () => onChange(Number(select.value)));
    return now;
  }

  // ------------------------------------------------------------ pages

  function dashboardFor(claims) {
    const roles = (claims && claims.roles) || [];
    if (roles.includes("admin")) return "/admin";
    if (roles.includes("atasan")) return "/atasan";
    if (claims && claims.emp) return "/pegawai";
    return null;
  }

  function nav(claims) {
    const node = document.getElementById("nav");
    if (!node) return;
    const here = window.location.pathname;
    const links = [];
    if (claims.emp) links.push(["/pegawai", "Kinerja Saya"]);
    if (claims.roles.includes("atasan")) links.push(["/atasan", "Tim Saya"]);
    if (claims.roles.includes("admin")) links.push(["/admin", "BKPSDM"]);
    fill(
      node,
      links.map(([href, text]) => el("a", { href, text, "aria-current": href === here ? "page" : null })),
      el("span", { class: "who", text: claims.tenant || "" }),
      el("button", { type: "button", id: "logout", text: "Keluar", onclick: logout })
    );
  }

  async function logout() {
    const token = session.refresh();
    session.clear();
    await fetch("/api/gateway/stream-session", { method: "DELETE" }).catch(() => null);
    if (token) {
      try {
        await fetch("/api/identity/auth/logout", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: token }),
        });
      } catch (e) {
        /* logged out locally anyway */
      }
    }
    window.location.assign("/");
  }

  /* A staff page: the caller's claims, or a redirect to the login page. */
  function guard(role) {
    const claims = session.claims();
    if (!claims) {
      window.location.replace("/");
      return null;
    }
    nav(claims);
    const ok =
      role === "pegawai" ? !!claims.emp : role ? (claims.roles || []).includes(role) : true;
    if (!ok) {
      notice("page-message", "Halaman ini bukan untuk akun Anda.", "error");
      return null;
    }
    return claims;
  }

  /* Live alerts: an EventSource on /events/alerts, reopened with a fresh token when the
     old one expires; a reopened stream resumes after the last alert received. EventSource
     cannot send the token as a header and a URL would leak it into logs: the gateway keeps
     it in an HttpOnly cookie for the stream, set by a POST before each (re)opening. */
  function streamSession() {
    return fetch("/api/gateway/stream-session", {
      method: "POST",
      headers: { Authorization: "Bearer " + (session.access() || "") },
    }).catch(() => null);
  }

  function live(onAlert, onState) {
    let last = null;
    let source = null;
    let retry = null;
    let stopped = false;
    async function open() {
      clearTimeout(retry);
      await streamSession();
      if (stopped) return;
      let url = "/events/alerts";
      if (last !== null) url += "?last_event_id=" + last;
      source = new EventSource(url);
      source.addEventListener("open", () => onState(true));
      source.addEventListener("alert", (e) => {
        last = Number(e.lastEventId);
        onAlert(JSON.parse(e.data));
      });
      source.addEventListener("expired", () => reopen(0));
      source.addEventListener("error", () => {
        onState(false);
        // CLOSED: refused (token expired, 401); CONNECTING: the browser retries itself.
        if (source.readyState === EventSource.CLOSED) reopen(3000);
      });
    }
    async function reopen(delay) {
      if (source) source.close();
      await refresh();
      retry = setTimeout(open, delay);
    }
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      if (source) source.close();
    };
  }

  function busy(button, running) {
    if (button) button.disabled = running;
  }

  return {
    session, api, publicApi, refresh, ApiError, errorText, el, fill, table, notice, muted,
    LABELS, label, badge, fmt, today, yearSelect, dashboardFor, guard, live, busy, request,
  };
})();
