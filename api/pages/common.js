/* Helpers shared by the viewer chat, the agent console, the host panel and the replay page:
   building elements, times, and the session module (the token kept in localStorage, api() that
   sends it, the login form or session prompt when there is none, who is logged in).
   Each page loads this file before its own script and takes what it needs from window.common. */
"use strict";
window.common = (() => {
  /** Build an element; children are nodes or strings (always set as text, never parsed). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  /** The URL made absolute if it is http(s); null for any other scheme or an invalid URL. */
  function safeUrl(url) {
    try {
      const parsed = new URL(url, location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  /** A stream second as m:ss, or h:mm:ss from the first hour on. */
  function clock(seconds) {
    const s = Math.max(0, Math.floor(Number(seconds) || 0));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? `${h}:` : "") + `${mm}:${String(r).padStart(2, "0")}`;
  }

  /**
   * A database time as local date and time, or only the time with timeOnly.
   * Database times without an offset are UTC (SQLite's CURRENT_TIMESTAMP).
   */
  function when(iso, { timeOnly = false } = {}) {
    if (!iso) return "";
    const hasZone = /[zZ]$|[+-]\d\d:?\d\d$/.test(iso);
    const date = new Date(hasZone ? iso : `${iso}Z`);
    if (Number.isNaN(date.getTime())) return iso;
    return timeOnly ? date.toLocaleTimeString() : date.toLocaleString();
  }

  // ---- Sessions -------------------------------------------------------------------------
  // A staff member's session (console, host panel, replay) is kept under one key; a viewer's
  // session under one key per room, so a shopper in two rooms keeps both.
  const STAFF_KEY = "copilot.session.staff";
  const VIEWER_KEY_PREFIX = "copilot.session.viewer.";
  const EXPIRY_MARGIN_MS = 5000; // a token this close to expiring is treated as expired
  const ROLE_LABELS = {
    viewer: "观众 viewer", host: "主播 host", agent: "客服 agent", supervisor: "主管 supervisor",
    admin: "管理员 admin",
  };
  const STAFF_ROLES = ["agent", "supervisor", "admin"];

  let activeKey = null; // where the session that api() sends is stored
  let prompt = null; // brings a session back (the login form, the chat's session prompt)
  let waiting = null; // the prompt's promise while it shows

  function viewerKey(room) { return VIEWER_KEY_PREFIX + room; }

  // localStorage, or where it is blocked (some private modes) a map that lasts as long as the page.
  const store = (() => {
    try {
      const probe = "copilot.probe";
      localStorage.setItem(probe, probe);
      localStorage.removeItem(probe);
      return localStorage;
    } catch (_) {
      const memory = new Map();
      return {
        getItem: (key) => (memory.has(key) ? memory.get(key) : null),
        setItem: (key, value) => { memory.set(key, String(value)); },
        removeItem: (key) => { memory.delete(key); },
      };
    }
  })();

  /** The session stored under a key, or null when there is none or it has expired. */
  function readSession(key) {
    let session = null;
    try { session = JSON.parse(store.getItem(key) || "null"); } catch (_) { /* not JSON: ignored */ }
    if (!session || typeof session.token !== "string" || !session.token) return null;
    if (session.expires_at && Date.parse(session.expires_at) - EXPIRY_MARGIN_MS <= Date.now()) {
      clearSession(key);
      return null;
    }
    return session;
  }
  function writeSession(key, session) {
    try { store.setItem(key, JSON.stringify(session)); } catch (_) { /* storage full: not kept */ }
  }
  function clearSession(key) { store.removeItem(key); }

  /** A failed API call; status is the HTTP status, 0 when the request did not get through. */
  class ApiError extends Error {
    constructor(message, status, retryAfterS) {
      super(message);
      this.status = status;
      this.retryAfterS = retryAfterS;
    }
  }

  /** Make `key` the session that api() sends, and `ask` what brings one back when it is gone. */
  function useSession(key, ask) {
    activeKey = key;
    if (ask) prompt = ask;
  }

  /** The active session, or (showing the login or session prompt) the one it brings back. */
  function ensureSession() {
    if (waiting) return waiting; // a login under way, whatever is stored meanwhile
    const session = activeKey && readSession(activeKey);
    if (session) return Promise.resolve(session);
    if (!prompt) return Promise.reject(new ApiError("未登录 Not logged in", 401));
    showIdentity(null);
    return settle(Promise.resolve().then(prompt));
  }

  /** Calls that need a session wait for this one (a login under way) instead of asking again. */
  function settle(promise) {
    const pending = promise.finally(() => { if (waiting === pending) waiting = null; });
    waiting = pending;
    return pending;
  }

  /** A 401 for a token: forget it (unless another tab stored a new one) and ask for a session. */
  function sessionLost(token) {
    for (const key of [activeKey, STAFF_KEY]) {
      const stored = key && readSession(key);
      if (stored && stored.token === token) clearSession(key);
    }
    ensureSession().catch(() => { /* the prompt reports its own errors */ });
  }

  async function send(path, options, token) {
    const { headers, ...rest } = options || {};
    const sent = { Accept: "application/json", ...(headers || {}) };
    if (token) sent.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, { ...rest, headers: sent });
    } catch (error) {
      throw new ApiError(`网络错误 Network error: ${error && error.message ? error.message : error}`, 0);
    }
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      const message = body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
      const retry = Number(response.headers.get("Retry-After"));
      throw new ApiError(message, response.status, Number.isFinite(retry) && retry > 0 ? retry : undefined);
    }
    return body;
  }

  /**
   * Call the JSON API with the active session's bearer token (waiting for a login when there
   * is none); `auth: false` sends none. Throws an ApiError carrying the server's error text.
   * A 401 forgets the session and brings back the login (or the chat's session prompt).
   */
  async function api(path, options) {
    const { auth = true, ...rest } = options || {};
    if (!auth) return send(path, rest, null);
    const session = await ensureSession();
    try {
      return await send(path, rest, session.token);
    } catch (error) {
      if (error.status === 401) sessionLost(session.token);
      throw error;
    }
  }

  /** The active session's token, for URLs a browser element loads itself (?token=). */
  function currentToken() {
    const session = activeKey && readSession(activeKey);
    return session ? session.token : null;
  }

  /** What the server says about a token (GET /v1/auth/me); throws an ApiError (401 if invalid). */
  function whoIs(token) {
    return send("/v1/auth/me", {}, token);
  }

  // ---- Header: who is logged in -------------------------------------------------------------

  function describe(session) {
    if (session.role === "viewer") {
      // Never the viewer's id: the shop's own identifier of its customer, meaningless to them.
      return ["观众 Viewer · ", el("strong", { id: "session-viewer" }, "已登录 Signed in")];
    }
    const parts = [el("strong", { id: "session-user" }, session.subject || "?"), " · ",
      el("span", { id: "session-role" }, ROLE_LABELS[session.role] || session.role)];
    if (session.role === "host" && session.room) parts.push(` · 直播间 room ${session.room}`);
    return parts;
  }

  /**
   * Show who is logged in at the end of the page's header, with a logout button for staff and
   * any extra buttons the page passes; null removes it.
   */
  function showIdentity(session, extra) {
    const old = document.getElementById("session");
    if (old) old.remove();
    if (!session) return;
    const header = document.querySelector("header");
    if (!header) return;
    const bar = el("span", { id: "session", class: "session" },
      el("span", { class: "who", title: session.expires_at && `有效至 Valid until ${when(session.expires_at)}` },
        ...describe(session)));
    if (session.role !== "viewer") {
      const out = el("button", { type: "button", id: "logout", class: "small" }, "退出 Log out");
      out.addEventListener("click", logout);
      bar.append(out);
    }
    for (const node of extra || []) bar.append(node);
    header.append(bar);
  }

  /** Forget the staff session and start the page again: it shows the login. */
  function logout() {
    clearSession(STAFF_KEY);
    location.reload();
  }

  // ---- The gate: a login form or a session prompt in place of the page ----------------------

  /** Show a node in place of the page (only the header stays); returns a function that hides it. */
  function showGate(node) {
    hideGate();
    const gate = el("main", { class: "gate", id: "gate" }, node);
    const header = document.querySelector("body > header");
    if (header) header.after(gate); else document.body.prepend(gate);
    document.body.classList.add("gated");
    return hideGate;
  }
  function hideGate() {
    const gate = document.getElementById("gate");
    if (gate) gate.remove();
    document.body.classList.remove("gated");
  }

  /** Whether a session may use the page: its role is one of `roles`; a host only in their room. */
  function allows(session, { roles, room }) {
    if (!session || !roles.includes(session.role)) return false;
    return session.role !== "host" || !room || session.room === room;
  }

  /** The roles a page allows, each kept on one line. */
  function roleList(roles, room) {
    return el("ul", { class: "roles", "aria-label": "可登录的账号 Accounts that may log in" },
      ...roles.map((r) => el("li", {}, r === "host" && room
        ? `${ROLE_LABELS.host} · 直播间 room ${room}` : ROLE_LABELS[r] || r)));
  }

  /** Why a session may not use the page, in both languages. */
  function refusal(session, { roles, room }) {
    const who = session.subject || session.role;
    if (session.role === "host" && roles.includes("host") && room && session.room !== room) {
      return `账号 ${who} 是直播间 “${session.room}” 的主播，不能打开直播间 “${room}”。` +
        ` ${who} is the host of room “${session.room}”, not of “${room}”.` +
        " 请换一个账号登录 Log in with another account.";
    }
    return `${ROLE_LABELS[session.role] || session.role} 账号 ${who} 不能打开此页面。` +
      ` A ${session.role} account cannot open this page. 请换一个账号登录 Log in with another account.`;
  }

  function loginForm(options, notice, resolve) {
    const username = el("input", { id: "login-username", name: "username", autocomplete: "username",
      maxlength: "64", required: "", autocapitalize: "off", spellcheck: "false" });
    const password = el("input", { id: "login-password", name: "password", type: "password",
      autocomplete: "current-password", maxlength: "1024", required: "" });
    const error = el("p", { id: "login-error", class: "error", role: "alert", hidden: "" });
    const submit = el("button", { type: "submit", id: "login-submit", class: "primary" }, "登录 Log in");
    const form = el("form", { id: "login-form", class: "gate-body", "aria-labelledby": "login-title" },
      el("p", { class: "lead" }, "请用员工账号登录 Log in with your staff account:"),
      roleList(options.roles, options.room),
      notice ? el("p", { id: "login-notice", class: "notice", role: "status" }, notice) : null,
      el("label", {}, "用户名 Username", username),
      el("label", {}, "密码 Password", password),
      error,
      submit);
    const show = (text) => { error.textContent = text; error.hidden = !text; };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!username.value.trim()) { username.focus(); return; }
      if (!password.value) { password.focus(); return; }
      submit.disabled = true;
      show("");
      try {
        const answer = await send("/v1/auth/login", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ username: username.value.trim(), password: password.value }),
        }, null);
        const session = { token: answer.token, role: answer.role, expires_at: answer.expires_at,
          room: answer.room || null, subject: username.value.trim() };
        writeSession(STAFF_KEY, session);
        password.value = "";
        if (!allows(session, options)) {
          showIdentity(session);
          show(refusal(session, options));
          username.select();
          return;
        }
        resolve(session);
      } catch (failure) {
        const s = failure.retryAfterS;
        const wait = s ? `（请 ${s} 秒后再试 try again in ${s} s）` : "";
        show(`登录失败 Login failed: ${failure.message}${wait}`);
        password.select();
      } finally {
        submit.disabled = false;
      }
    });
    return { form, focus: () => username.focus() };
  }

  /** Show the login form until someone whom the page allows logs in; resolves with the session. */
  function loginGate(options, notice) {
    return new Promise((resolve) => {
      const { form, focus } = loginForm(options, notice, (session) => {
        hideGate();
        useSession(STAFF_KEY);
        showIdentity(session);
        resolve(session);
      });
      showGate(el("section", { class: "card", "aria-labelledby": "login-title" },
        el("h2", { id: "login-title" }, "登录 Log in"), form));
      focus();
    });
  }

  /** A stored session checked with the server; null (and forgotten) if the server refuses it. */
  async function checked(key) {
    const session = readSession(key);
    if (!session) return null;
    try {
      const me = await whoIs(session.token);
      const fresh = { ...session, role: me.role, subject: me.subject, room: me.room || null,
        viewer_id: me.viewer_id || null, expires_at: me.expires_at || session.expires_at };
      writeSession(key, fresh);
      return fresh;
    } catch (error) {
      if (error.status === 401) { clearSession(key); return null; }
      return session; // the server is unreachable for now: the page's own calls will say so
    }
  }

  /**
   * Resolve with a session the page allows: the stored staff session, else (with `viewer`) the
   * viewer session of `room`, else whoever logs in through the login form shown meanwhile.
   * `roles` lists the staff roles allowed; a host only in `room`.
   */
  function requireLogin(options) {
    return settle(findLogin(options));
  }

  async function findLogin({ roles, room = null, viewer = false }) {
    const options = { roles, room };
    const staff = await checked(STAFF_KEY);
    let notice = "";
    if (staff && allows(staff, options)) {
      useSession(STAFF_KEY, () => loginGate(options, ""));
      showIdentity(staff);
      return staff;
    }
    if (staff) notice = refusal(staff, options);
    if (viewer && room) {
      const own = await checked(viewerKey(room));
      if (own && own.role === "viewer" && own.room === room) {
        useSession(viewerKey(room), () => loginGate(options, ""));
        showIdentity(own);
        return own;
      }
    }
    // A refused staff session stays stored (it is that person's login) but is not used here.
    useSession(STAFF_KEY, () => loginGate(options, ""));
    if (staff) showIdentity(staff);
    return loginGate(options, notice);
  }

  /** The viewer session of a room, checked with the server; null if there is none. */
  async function viewerSession(room) {
    const session = await checked(viewerKey(room));
    return session && session.role === "viewer" && session.room === room ? session : null;
  }

  /** Keep a viewer token for a room (from the shop's #token= link) after the server vouches for it. */
  async function adoptViewerToken(room, token) {
    let me;
    try {
      me = await whoIs(token);
    } catch (error) {
      if (error.status === 401) {
        throw new ApiError("这个链接的会话无效或已过期，请从商店 App 重新打开。" +
          ` This link's session is invalid or has expired (${error.message});` +
          " open the chat again from the shop's app.", 401);
      }
      throw error;
    }
    if (me.role !== "viewer" || me.room !== room) {
      throw new ApiError(`这个会话不属于直播间 “${room}”。` +
        ` This session is not a viewer session of room “${room}”.`, 403);
    }
    const session = { token, role: "viewer", room, viewer_id: me.viewer_id, subject: me.subject,
      expires_at: me.expires_at };
    writeSession(viewerKey(room), session);
    return session;
  }

  /** A demo viewer's session (only while `copilot demo` serves), kept for its room. */
  async function demoViewerSession(viewerId) {
    const answer = await send("/v1/demo/viewer-session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ viewer_id: viewerId }),
    }, null);
    const session = { token: answer.token, role: "viewer", room: answer.room, viewer_id: answer.viewer_id,
      subject: answer.viewer_id, expires_at: answer.expires_at };
    writeSession(viewerKey(answer.room), session);
    return session;
  }

  /** Forget the viewer session of a room. */
  function forgetViewer(room) { clearSession(viewerKey(room)); }

  /** The token of a #token=... fragment, which is then removed from the address bar. */
  function takeFragmentToken() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const token = fragment.get("token");
    if (token === null) return null;
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
    return token.trim() || null;
  }

  return Object.freeze({
    el, safeUrl, clock, when, api, ApiError, ROLE_LABELS, STAFF_ROLES,
    requireLogin, logout, showIdentity, showGate, hideGate, useSession, ensureSession, currentToken,
    viewerKey, viewerSession, adoptViewerToken, demoViewerSession, forgetViewer, takeFragmentToken,
  });
})();
