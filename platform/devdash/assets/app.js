// The dashboard's shell: helpers every page uses, and the router.
// Every text from the server goes into the page through textContent
// (el's string children), never through innerHTML: an event's payload
// may hold anything.
"use strict";
const DD = { pages: {} };

// el makes an element; attrs are properties (onclick, className…) or,
// for names with a dash or "href", attributes; strings become text nodes.
DD.el = function (tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "style") e.style.cssText = v;
    else if (k.includes("-") || k === "href") e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
};

// svg makes an SVG element with attributes.
DD.svg = function (tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(typeof c === "string" ? document.createTextNode(c) : c);
  return e;
};

DD.get = async function (path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(path + ": " + res.status + " " + (await res.text()));
  return res.json();
};

DD.post = async function (path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  let data = null;
  try { data = await res.json(); } catch (e) { data = { error: res.status + " " + res.statusText }; }
  return { ok: res.ok, status: res.status, data };
};

DD.time = (t) => (t ? new Date(t).toLocaleTimeString([], { hour12: false }) + "." + String(new Date(t).getMilliseconds()).padStart(3, "0") : "");
DD.ms = (v) => (v === undefined || v === null ? "" : v.toFixed(1) + " ms");
DD.pretty = function (text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
};
DD.traceLink = (id, label) => DD.el("a", { href: "#traces/" + id, className: "trace-link" }, label || "trace " + id.slice(0, 8));
DD.clear = (node) => { node.replaceChildren(); return node; };

// The router: #<page>[/<argument>].
DD.route = function () {
  const [page, arg] = (location.hash.slice(1) || "architecture").split("/");
  for (const s of document.querySelectorAll(".page")) s.classList.toggle("active", s.id === "page-" + page);
  for (const a of document.querySelectorAll("header nav a")) a.classList.toggle("active", a.getAttribute("href") === "#" + page);
  for (const [name, p] of Object.entries(DD.pages)) if (name !== page && p.hide) p.hide();
  const p = DD.pages[page];
  if (p) p.show(arg ? decodeURIComponent(arg) : "").catch((e) => console.error(e));
};
window.addEventListener("hashchange", DD.route);
window.addEventListener("DOMContentLoaded", () => setTimeout(DD.route));
