/* Helpers shared by the viewer chat, the agent console and the host panel.
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

  /** A failed API call; status is the HTTP status, 0 when the request did not get through. */
  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  /** Call the JSON API; throws an ApiError carrying the server's error text on failure. */
  async function api(path, options) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: "application/json" }, ...options });
    } catch (error) {
      throw new ApiError(`网络错误 Network error: ${error && error.message ? error.message : error}`, 0);
    }
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      const message = body && typeof body.error === "string" ? body.error : `HTTP ${response.status}`;
      throw new ApiError(message, response.status);
    }
    return body;
  }

  return Object.freeze({ el, safeUrl, clock, when, api });
})();
