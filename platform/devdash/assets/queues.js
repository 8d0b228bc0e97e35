// Queues: each module's outbox backlog, and each poison queue with replay
// and drop, each asked to be confirmed, whose outcome is reported.
"use strict";
(function () {
  let timer = null;

  function age(t) {
    if (!t) return "-";
    return ((Date.now() - Date.parse(t)) / 1000).toFixed(1) + " s";
  }

  function confirmBar(action, p) {
    const result = document.getElementById("queue-result");
    const yes = DD.el("button", { id: "confirm-yes", onclick: () => repair(action, p) }, "Yes, " + action + " " + p.id);
    const no = DD.el("button", { onclick: () => DD.clear(result) }, "Cancel");
    DD.clear(result).append(DD.el("div", { className: "panel" },
      action === "replay" ? "Apply this event again through " + p.module + "'s inbox (an effect already made is not made twice)? "
        : "Delete this event from " + p.module + "'s poison queue without applying it? ", yes, " ", no));
  }

  async function repair(action, p) {
    const result = document.getElementById("queue-result");
    const res = await DD.post("/api/queues/" + encodeURIComponent(p.module) + "/" + encodeURIComponent(p.id) + "/" + action);
    DD.clear(result).append(DD.el("div", { className: "panel " + (res.ok ? "ok" : "bad"), id: "repair-outcome" },
      res.ok ? p.module + ": " + action + " " + p.id + ": done" : p.module + ": " + action + " failed: " + (res.data.error || res.status)));
    await refresh();
  }

  async function refresh() {
    const q = await DD.get("/api/queues");
    DD.clear(document.querySelector("#outboxes tbody")).append(...q.outboxes.map((o) =>
      DD.el("tr", {}, DD.el("td", {}, o.module), DD.el("td", {}, o.error ? o.error : o.backlog), DD.el("td", {}, age(o.oldest)))));
    const rows = q.poisoned.map((p) => DD.el("tr", { "data-id": p.id, "data-module": p.module },
      DD.el("td", {}, p.module), DD.el("td", {}, p.id, p.trace_id ? [" ", DD.traceLink(p.trace_id)] : null), DD.el("td", {}, p.type),
      DD.el("td", {}, p.attempts), DD.el("td", { className: "bad" }, p.reason),
      DD.el("td", {}, DD.el("button", { className: "replay", onclick: () => confirmBar("replay", p) }, "Replay"), " ",
        DD.el("button", { className: "drop", onclick: () => confirmBar("drop", p) }, "Drop"))));
    const tbody = DD.clear(document.querySelector("#poisoned tbody"));
    if (rows.length) tbody.append(...rows);
    else tbody.append(DD.el("tr", {}, DD.el("td", { colSpan: 6, className: "muted" }, "Every poison queue is empty.")));
  }

  async function show() {
    await refresh();
    clearInterval(timer);
    timer = setInterval(() => refresh().catch(console.error), 2000);
  }
  DD.pages.queues = { show, hide: () => clearInterval(timer) };
})();
