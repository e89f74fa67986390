"use strict";
/* Kinerja: what every page shares. The session lives in HttpOnly cookies set by the
   gateway (POST /api/gateway/session): no script here ever sees a token. State-changing
   calls echo the readable kinerja_csrf cookie in X-CSRF-Token (K.api does it). Words come
   from the page's i18n data block (the gateway.po catalog in the reader's language):
   K.t(englishTemplate, {name: value}). The DOM is built with textContent only: nothing that
   comes from an API is ever parsed as HTML. */
const K = (() => {
  function dataBlock(id) {
    const node = document.getElementById(id);
    try {
      return node ? JSON.parse(node.textContent) : null;
    } catch (e) {
      return null;
    }
  }
  const CATALOG = dataBlock("i18n") || {};
  const PROFILE = dataBlock("profile");
  const LOCALE = document.documentElement.lang || "id";
  const NUMBER_LOCALE = LOCALE === "en" ? "en-GB" : "id-ID";

  /* The template in the reader's language with {name} filled from params. */
  function t(template, params) {
    const text = Object.prototype.hasOwnProperty.call(CATALOG, template) ? CATALOG[template] : template;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole
    );
  }

  function cookie(name) {
    for (const part of document.cookie.split(";")) {
      const [key, ...rest] = part.trim().split("=");
      if (key === name) return decodeURIComponent(rest.join("="));
    }
    return "";
  }

  const session = {
    profile: () => PROFILE,
  };

  class ApiError extends Error {
    /* status, the rendered detail, and the structured body (reason, or 422's list).
       `reason` is the refusal's English template and parameters: what a page matches
       on, since `detail` comes in the reader's language. */
    constructor(status, detail, body) {
      super(detail || "HTTP " + status);
      this.status = status;
      this.detail = detail;
      this.body = body || null;
      this.reason = (body && body.reason) || null;
    }
  }

  /* A 422 item: the field's label and the kernel's rendered msg ("Title: at most 500
     characters"); a CSV problem: its line. */
  function detailText(detail) {
    if (detail === undefined || detail === null) return "";
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail
        .map((d) => {
          if (d.line !== undefined) return t("line {line}: {reason}", d);
          const where = (d.loc || []).filter((p) => p !== "body").join(".");
          return (where ? where + ": " : "") + (d.msg || JSON.stringify(d));
        })
        .join("; ");
    }
    return JSON.stringify(detail);
  }

  const STATUS_TEXT = {
    400: "The request cannot be processed",
    401: "Your session has ended. Please log in again",
    403: "You are not allowed to do this",
    404: "Not found",
    409: "This does not match the current state of the data",
    413: "The file is too large",
    422: "Some fields are not right yet",
    429: "Too many requests. Wait a moment and try again",
    502: "The service is having problems",
    503: "The service is not available right now",
  };

  function errorText(err) {
    if (err instanceof ApiError) {
      const head = STATUS_TEXT[err.status] ? t(STATUS_TEXT[err.status]) : t("Something went wrong ({status})", { status: err.status });
      return err.detail ? head + ". " + err.detail : head + ".";
    }
    return t("Cannot reach the server. Check your internet connection.");
  }

  const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

  /* One JSON call through the gateway. The session cookie goes by itself (same origin);
     a state-changing call carries the CSRF header. The gateway refreshes an expired
     session itself: a 401 here means the session is over. */
  async function request(url, { method = "GET", body, auth = true, contentType } = {}) {
    // The gateway's own answers (its 422s too) come in the page's language.
    const headers = { Accept: "application/json", "Accept-Language": LOCALE };
    if (!SAFE.has(method)) headers["X-CSRF-Token"] = cookie("kinerja_csrf");
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
    const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
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
      if (response.status === 401 && auth && PROFILE) expired();
      const structured = data && typeof data === "object" ? data : null;
      throw new ApiError(response.status, structured ? detailText(structured.detail) : "", structured);
    }
    return data;
  }

  const api = (service, path, options) => request("/api/" + service + path, options);
  const publicApi = (service, path, options) =>
    request("/api/" + service + path, Object.assign({ auth: false }, options || {}));

  function expired() {
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

  /* THE table of every page: columns [{label, num?}] or strings; rows of cells (text or
     nodes). Under ~640px CSS turns each row into a card, and each cell shows its column's
     label from data-label. Rows added later go through K.addRow (same labels). */
  function table(columns, rows, numeric, options) {
    const nums = new Set(numeric || []);
    const cols = columns.map((c, i) =>
      typeof c === "string" ? { label: c, num: nums.has(i) } : Object.assign({ num: nums.has(i) }, c)
    );
    const heads = cols.map((c) =>
      el("th", { scope: "col", class: c.num ? "num" : null, text: c.label })
    );
    const tableNode = el("table", { class: "table" }, el("thead", {}, el("tr", {}, heads)), el("tbody"));
    const wrap = el("div", { class: "table-wrap" }, tableNode);
    for (const cells of rows) addRow(wrap, cells);
    if (options && options.export) wrap.prepend(exportLinks(options.export.table, options.export.params));
    return wrap;
  }

  // ------------------------------------------------------------ downloads (XLSX and CSV)
  /* K.table(columns, rows, numeric, {export: {table, params}}) adds "Download XLSX" and
     "Download CSV" links to the gateway's export of that table (services/gateway/exports:
     the same rows from the service that feeds the page, the headers in the reader's
     language, every formula-like cell neutralised). The session cookie goes with them;
     params are the table's filters (year, period...). */
  function exportLinks(table, params) {
    const link = (format, text) => {
      const query = new URLSearchParams(Object.assign({}, params || {}, { format }));
      const href = "/api/gateway/export/" + encodeURIComponent(table) + "?" + query;
      return el("a", { class: "button", href, download: "", dataset: { format }, text });
    };
    return el("div", { class: "buttons table-tools" }, link("xlsx", t("Download XLSX")), link("csv", t("Download CSV")));
  }

  /* One row appended to a K.table (attrs for the <tr>, e.g. dataset); returns the row. */
  function addRow(wrap, cells, attrs) {
    const heads = [...wrap.querySelectorAll("thead th")];
    const row = el(
      "tr",
      attrs || {},
      cells.map((cell, i) => {
        const head = heads[i];
        const num = head && head.classList.contains("num");
        return el("td", { class: num ? "num" : null, "data-label": head ? head.textContent : null }, cell);
      })
    );
    wrap.querySelector("tbody").append(row);
    return row;
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

  /* THE form helper: K.form.errors(form, err, messageTarget) puts each 422 item next to
     its field (the input whose name is the last part of `loc`), and a refusal's detail
     (reason rendered by the service in the reader's language) in the form's notice.
     K.form.clear(form) removes them. Returns true when something was shown by a field. */
  const form = {
    clear(formNode) {
      for (const old of formNode.querySelectorAll(".field-error")) old.remove();
      for (const input of formNode.querySelectorAll("[aria-invalid]")) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    },
    errors(formNode, err, messageTarget) {
      form.clear(formNode);
      const items = err instanceof ApiError && err.body && Array.isArray(err.body.detail) ? err.body.detail : [];
      const unplaced = [];
      let placed = 0;
      items.forEach((item, n) => {
        const loc = (item.loc || []).filter((p) => p !== "body");
        const name = loc.length ? String(loc[loc.length - 1]) : "";
        const input = name ? formNode.querySelector('[name="' + CSS.escape(name) + '"]') : null;
        if (!input) {
          unplaced.push(item);
          return;
        }
        const id = (formNode.id || "form") + "-error-" + n;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", id);
        input.insertAdjacentElement("afterend", el("span", { class: "field-error", id, text: item.msg || "" }));
        placed += 1;
      });
      if (messageTarget) {
        const text = items.length ? (unplaced.length ? detailText(unplaced) : t("Some fields are not right yet")) : errorText(err);
        notice(messageTarget, text, "error");
      }
      return placed > 0;
    },
  };

  const muted = (text) => el("p", { class: "muted", text });

  // ------------------------------------------------------------ words and numbers

  const LABELS = {
    skpStatus: {
      draft: "Draft",
      submitted: "Awaiting approval",
      approved: "Approved",
      missing: "Not made yet",
    },
    rating: { di_atas: "Above expectations", sesuai: "As expected", di_bawah: "Below expectations" },
    predikat: {
      sangat_baik: "Very good",
      baik: "Good",
      butuh_perbaikan: "Needs improvement",
      kurang: "Poor",
      sangat_kurang: "Very poor",
    },
    aspect: { kuantitas: "Quantity", kualitas: "Quality", waktu: "Time", biaya: "Cost" },
    direction: { higher: "higher is better", lower: "lower is better" },
    kind: { utama: "Main", tambahan: "Additional" },
    alertKind: {
      behind_target: "Behind target",
      silent: "No activity yet",
      complaint: "Complaint",
      satisfaction: "Public satisfaction",
      assessment_due: "Assessment due soon",
      predikat_drop: "Predikat dropped",
    },
    complaintStatus: {
      received: "Received",
      verified: "Verified",
      in_progress: "Being followed up",
      resolved: "Resolved",
      rejected: "Rejected",
      not_our_authority: "Not our authority",
      archived: "Archived",
    },
    unitKind: {
      dinas: "Department",
      badan: "Agency",
      kantor: "Office",
      kecamatan: "District",
      kelurahan: "Urban village",
      desa: "Village",
      counter: "Service counter",
    },
  };
  const label = (group, value) => (value === null || value === undefined ? "–" : LABELS[group][value] ? t(LABELS[group][value]) : value);

  function badge(group, value, cls) {
    return el("span", { class: "badge " + (cls || value || ""), text: label(group, value) });
  }

  const fmt = {
    num(value, digits) {
      if (value === null || value === undefined) return "–";
      return Number(value).toLocaleString(NUMBER_LOCALE, { maximumFractionDigits: digits === undefined ? 2 : digits });
    },
    pct(value) {
      return value === null || value === undefined ? "–" : fmt.num(value, 1) + "%";
    },
    date(iso) {
      if (!iso) return "–";
      const d = iso.length === 10 ? new Date(iso + "T00:00:00") : new Date(iso);
      return d.toLocaleDateString(NUMBER_LOCALE, { day: "numeric", month: "short", year: "numeric" });
    },
    time(iso) {
      return new Date(iso).toLocaleString(NUMBER_LOCALE, { dateStyle: "medium", timeStyle: "short" });
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

  function dashboardFor(profile) {
    const roles = (profile && profile.roles) || [];
    if (roles.includes("admin")) return "/admin";
    if (roles.includes("platform")) return "/platform";
    if (roles.includes("ops")) return "/ops";
    if (roles.includes("atasan") || roles.includes("kepala_daerah")) return "/atasan";
    if (profile && profile.employee_id) return "/pegawai";
    return null;
  }

  async function logout() {
    try {
      await request("/api/gateway/session", { method: "DELETE", auth: false });
    } catch (e) {
      /* the cookies expire by themselves */
    }
    window.location.assign("/");
  }

  async function chooseLanguage(code) {
    try {
      await request("/api/gateway/language/" + encodeURIComponent(code), { method: "PUT", auth: false });
    } catch (e) {
      return;
    }
    window.location.reload();
  }

  function topbar() {
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", logout);
    for (const button of document.querySelectorAll(".lang-choice")) {
      button.addEventListener("click", () => chooseLanguage(button.dataset.lang));
    }
  }

  /* A staff page: the server already checked the session and the role (the page is not
     served otherwise); this gives the profile to the page's script. */
  function guard() {
    return PROFILE;
  }

  /* Live alerts: an EventSource on /events/alerts, authenticated by the session cookie
     (never a token in the URL). The stream ends with "expired" when the access token runs
     out; the reopening request carries the refresh cookie and the gateway renews the
     session. A reopened stream resumes after the last alert received. */
  function live(onAlert, onState) {
    let last = null;
    let source = null;
    let retry = null;
    let stopped = false;
    function open() {
      clearTimeout(retry);
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
        // CLOSED: refused (session over, 401); CONNECTING: the browser retries itself.
        if (source.readyState === EventSource.CLOSED) reopen(3000);
      });
    }
    function reopen(delay) {
      if (source) source.close();
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

  topbar();

  return {
    t, session, api, publicApi, ApiError, errorText, el, fill, table, addRow, form, notice, muted,
    LABELS, label, badge, fmt, today, yearSelect, dashboardFor, guard, live, busy, request,
    locale: LOCALE,
  };
})();
