// Architecture: the modules as boxes (their routes inside), and an edge
// from each producer to each consumer of its topics, labelled with the
// topics and live figures, refreshed every 2 s without reloading.
"use strict";
(function () {
  let timer = null;
  let system = null;
  let topics = {}; // by name: version, fields
  const W = 300, GAP = 60, TOP = 20, LINE = 15;

  function pairs() {
    const producerOf = {};
    for (const m of system.modules) for (const t of m.publishes || []) producerOf[t] = m.name;
    const out = new Map();
    for (const m of system.modules) for (const t of m.consumes || []) {
      const from = producerOf[t] || t.split(".")[0];
      const key = from + "→" + m.name;
      if (!out.has(key)) out.set(key, { from, to: m.name, topics: [] });
      out.get(key).topics.push(t);
    }
    return [...out.values()];
  }

  const short = (t) => t.split(".").slice(1).join(" ");

  // lines are what a module's box lists: routes, tables, published topics.
  function lines(m) {
    return [...(m.routes || []).map((r) => ["route", r]),
      ...(m.tables || []).map((t) => ["tables", "table " + t]),
      ...(m.publishes || []).map((t) => ["publishes", "publishes " + short(t)])];
  }

  function box(m, x, height, backlog) {
    const g = DD.svg("g", { "data-module": m.name });
    g.append(DD.svg("rect", { x, y: TOP, width: W, height, rx: 6, fill: "#fff", stroke: "#1d2330" }));
    g.append(DD.svg("text", { x: x + 10, y: TOP + 20, "font-weight": "bold" }, m.name));
    g.append(DD.svg("text", { x: x + W - 10, y: TOP + 20, "text-anchor": "end", class: "backlog" }, "outbox backlog " + backlog));
    const colors = { route: "#44506a", tables: "#7a8294", publishes: "#137333" };
    lines(m).forEach(([kind, text], i) => g.append(DD.svg("text", { x: x + 10, y: TOP + 42 + i * LINE, fill: colors[kind] }, text)));
    return g;
  }

  function edge(p, xs, height, i, counts) {
    const x1 = xs[p.from] + W / 2 + 10 + i * 12, x2 = xs[p.to] + W / 2 - 30 + i * 12, y = TOP + height;
    const depth = 60 + Math.abs(x2 - x1) / 5 + i * 8;
    const path = "M" + x1 + "," + y + " C" + x1 + "," + (y + depth) + " " + x2 + "," + (y + depth) + " " + x2 + "," + y;
    const rate = counts.reduce((s, c) => s + c.per_second, 0);
    const applied = counts.reduce((s, c) => s + c.applied, 0);
    const failed = counts.reduce((s, c) => s + c.failed, 0);
    const g = DD.svg("g", { "data-edge": p.from + "->" + p.to });
    g.append(DD.svg("path", { d: path, fill: "none", stroke: failed ? "#b3261e" : "#6ea8ff", "stroke-width": 2, "marker-end": "url(#arrow)" }));
    const ly = y + depth * 0.75 + 14;
    g.append(DD.svg("title", {}, p.topics.map((t) => t + ": " + ((topics[t] || {}).fields || []).join(", ")).join("\n")));
    g.append(DD.svg("text", { x: (x1 + x2) / 2, y: ly, "text-anchor": "middle" }, p.topics.map(short).join(", ")));
    g.append(DD.svg("text", { x: (x1 + x2) / 2, y: ly + LINE, "text-anchor": "middle", class: "edge-figures", fill: failed ? "#b3261e" : "#44506a" },
      rate.toFixed(1) + "/s · " + applied + " applied · " + failed + " failed"));
    return g;
  }

  function draw(live) {
    const backlog = {};
    for (const o of live.outboxes || []) backlog[o.module] = o.error ? "?" : o.backlog;
    const xs = {};
    system.modules.forEach((m, i) => { xs[m.name] = 10 + i * (W + GAP); });
    const height = 40 + LINE * Math.max(...system.modules.map((m) => lines(m).length));
    const edges = pairs();
    const svg = DD.svg("svg", { width: 20 + system.modules.length * (W + GAP), height: height + 140 + edges.length * 40, role: "img" });
    const marker = DD.svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" },
      DD.svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#44506a" }));
    svg.append(DD.svg("defs", {}, marker));
    for (const m of system.modules) svg.append(box(m, xs[m.name], height, backlog[m.name] ?? "-"));
    edges.forEach((p, i) => svg.append(edge(p, xs, height, i,
      (live.edges || []).filter((c) => c.from === p.from && c.to === p.to))));
    DD.clear(document.getElementById("diagram")).append(svg);
  }

  async function refresh() { draw(await DD.get("/api/edges")); }

  async function show() {
    if (!system) {
      system = await DD.get("/api/architecture");
      for (const t of (system && system.topics) || []) topics[t.name] = t;
    }
    if (!system || !system.modules) { document.getElementById("diagram").textContent = "No description of the system is available."; return; }
    await refresh();
    clearInterval(timer);
    timer = setInterval(() => refresh().catch(console.error), 2000);
  }
  DD.pages.architecture = { show, hide: () => clearInterval(timer) };
})();
