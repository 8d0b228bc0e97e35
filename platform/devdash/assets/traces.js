// Traces: the recorder's recent traces, and one as a waterfall of its
// spans (HTTP, outbox, relay, each consumer), indented by parent.
"use strict";
(function () {
  function list(traces) {
    DD.clear(document.querySelector("#traces tbody")).append(...traces.map((t) =>
      DD.el("tr", { className: "clickable" + (t.failed ? " bad" : ""), onclick: () => { location.hash = "traces/" + t.trace_id; } },
        DD.el("td", {}, DD.time(t.start)), DD.el("td", {}, t.name), DD.el("td", {}, t.spans), DD.el("td", {}, DD.ms(t.took_ms)))));
  }

  // depthOf counts a span's ancestors among the trace's spans.
  function depthOf(span, byID) {
    let d = 0;
    for (let p = byID.get(span.parent_id); p && d < 20; p = byID.get(p.parent_id)) d++;
    return d;
  }

  function waterfall(id, spans) {
    const box = document.getElementById("waterfall");
    box.hidden = false;
    DD.clear(box);
    const panel = DD.el("div", { className: "panel" }, DD.el("h2", {}, "Trace " + id),
      DD.el("p", {}, DD.el("a", { href: "#traces" }, "all traces")));
    box.append(panel);
    if (!spans.length) { panel.append(DD.el("p", { className: "muted" }, "No span of this trace is kept (yet).")); return; }
    const start = Math.min(...spans.map((s) => Date.parse(s.start)));
    const end = Math.max(...spans.map((s) => Date.parse(s.start) + s.took_ms));
    const total = Math.max(end - start, 1);
    const byID = new Map(spans.map((s) => [s.span_id, s]));
    for (const s of spans) {
      const left = ((Date.parse(s.start) - start) / total) * 100;
      const width = Math.max((s.took_ms / total) * 100, 0.5);
      const attrs = Object.entries(s.attrs).map(([k, v]) => k + "=" + v).join("\n");
      panel.append(DD.el("div", { className: "waterfall-row span-row", title: attrs, "data-name": s.name, "data-kind": s.kind },
        DD.el("div", { style: "padding-left:" + depthOf(s, byID) * 14 + "px" }, s.name + (s.attrs["modmono.module"] ? " [" + s.attrs["modmono.module"] + "]" : "")),
        DD.el("div", { className: "bar" }, DD.el("span", { className: "fill" + (s.failed ? " failed" : ""), style: "left:" + left + "%;width:" + width + "%" })),
        DD.el("div", { className: s.failed ? "bad" : "" }, DD.ms(s.took_ms))));
      if (s.failed) panel.append(DD.el("div", { className: "bad" }, "  " + s.error));
    }
  }

  async function show(id) {
    list(await DD.get("/api/traces"));
    if (!id) { document.getElementById("waterfall").hidden = true; return; }
    waterfall(id, await DD.get("/api/traces/" + encodeURIComponent(id)));
  }
  DD.pages.traces = { show };
})();
