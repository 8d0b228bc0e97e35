// Events, live: every change of an event (committed, relayed, applied,
// retried, poisoned) arrives over server-sent events and replaces its row.
"use strict";
(function () {
  const events = new Map(); // id → event
  let source = null;
  let open = "";
  const tbody = () => document.querySelector("#events tbody");
  const filter = () => document.getElementById("event-filter").value.trim().toLowerCase();

  function matches(ev, f) {
    if (!f) return true;
    const modules = [ev.producer, ...ev.consumers.map((c) => c.module)];
    return [ev.topic, ev.user_id || "", ev.correlation_id, ev.id, ...modules].some((s) => s.toLowerCase().includes(f));
  }

  function outcomes(ev) {
    const committed = ev.committed_at ? [DD.el("span", { className: "ok" }, "committed ")] : [];
    return committed.concat(ev.consumers.map((c) => DD.el("span", { className: c.outcome === "applied" ? "ok" : c.outcome === "poisoned" ? "bad" : "warn", "data-module": c.module },
      c.module + ": " + c.outcome + " (" + DD.ms(c.latency_ms) + ") ")));
  }

  function row(ev) {
    return DD.el("tr", { className: "clickable", "data-id": ev.id, "data-topic": ev.topic, onclick: () => { location.hash = "events/" + ev.id; } },
      DD.el("td", {}, DD.time(ev.occurred_at)), DD.el("td", {}, ev.topic), DD.el("td", {}, ev.producer),
      DD.el("td", { className: "outcomes" }, outcomes(ev)), DD.el("td", {}, ev.correlation_id));
  }

  function render() {
    const f = filter();
    const rows = [...events.values()].reverse().filter((ev) => matches(ev, f)).slice(0, 300).map(row);
    DD.clear(tbody()).append(...rows);
    if (open) detail(open);
  }

  function detail(id) {
    const box = document.getElementById("event-detail");
    const ev = events.get(id);
    if (!ev) { box.hidden = true; return; }
    box.hidden = false;
    DD.clear(box).append(DD.el("div", { className: "panel" },
      DD.el("h2", {}, ev.topic + " · " + ev.id),
      DD.el("p", {}, "producer " + ev.producer + " · request " + ev.correlation_id + " · occurred " + DD.time(ev.occurred_at) + " · ",
        ev.trace_id ? DD.traceLink(ev.trace_id, "open its trace") : "no trace"),
      DD.el("p", { id: "event-committed" }, ev.committed_at ? "committed " + DD.time(ev.committed_at) : "commit not seen (stored before the dashboard started, or by another process)"),
      DD.el("h3", {}, "Relayed"),
      DD.el("ul", {}, ev.relays.map((r) => DD.el("li", {}, "to " + r.to + " after " + DD.ms(r.latency_ms) + (r.error ? " — " + r.error : "")))),
      DD.el("h3", {}, "Consumers"),
      DD.el("ul", { id: "event-consumers" }, ev.consumers.map((c) => DD.el("li", { className: c.outcome === "applied" ? "ok" : "bad" },
        c.module + ": " + c.outcome + " after " + c.attempts + " attempt(s), " + DD.ms(c.latency_ms) + " from commit" + (c.error ? " — " + c.error : "") + " ",
        c.trace_id ? DD.traceLink(c.trace_id) : null))),
      DD.el("h3", {}, "Payload"), DD.el("pre", { id: "event-payload" }, DD.pretty(ev.payload)),
      DD.el("h3", {}, "Metadata"), DD.el("pre", {}, JSON.stringify(ev.metadata, null, 2))));
  }

  function take(ev) {
    events.delete(ev.id); // moves to the end: the newest change shows first
    events.set(ev.id, ev);
    while (events.size > 1000) events.delete(events.keys().next().value);
  }

  async function show(id) {
    open = id;
    if (!source) {
      for (const ev of await DD.get("/api/events")) take(ev);
      source = new EventSource("/api/events/stream");
      source.onmessage = (m) => { take(JSON.parse(m.data)); render(); };
      source.onopen = () => { document.getElementById("event-status").textContent = "live"; };
      source.onerror = () => { document.getElementById("event-status").textContent = "reconnecting…"; };
      document.getElementById("event-filter").addEventListener("input", render);
    }
    render();
  }
  DD.pages.events = { show };
})();
