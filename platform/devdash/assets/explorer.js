// The API explorer: the served OpenAPI document as a form per operation,
// a sign-in helper that keeps a development user's token, and each answer
// with its headers and a link to its trace. Calls go through the
// dashboard (POST /api/call), which makes them in-process.
"use strict";
(function () {
  let token = sessionStorage.getItem("devdash-token") || "";
  let doc = null;
  const devUser = { email: "developer@example.com", password: "development password", name: "Developer" };

  function call(method, path, body) {
    const headers = {};
    if (body) headers["Content-Type"] = "application/json";
    if (token) headers["Authorization"] = "Bearer " + token;
    return DD.post("/api/call", { method, path, headers, body: body || "" });
  }

  async function signIn() {
    const out = document.getElementById("signed-in");
    await call("POST", "/v1/users", JSON.stringify(devUser)); // 409 when registered already: fine
    const res = await call("POST", "/v1/auth/token", JSON.stringify({ email: devUser.email, password: devUser.password }));
    if (!res.ok || res.data.status !== 200) { out.textContent = "sign-in failed: " + (res.data.body || res.status); return; }
    token = JSON.parse(res.data.body).access_token;
    sessionStorage.setItem("devdash-token", token);
    out.textContent = "signed in as " + devUser.email;
  }

  function resolve(schema) {
    for (let i = 0; schema && schema.$ref && i < 10; i++) {
      schema = schema.$ref.split("/").slice(1).reduce((o, k) => (o || {})[k], doc);
    }
    return schema || {};
  }

  // example makes a body skeleton from a schema: its examples and
  // defaults where it has them, else a value of the right type.
  function example(schema, depth) {
    schema = resolve(schema);
    if (schema.example !== undefined) return schema.example;
    if (schema.examples && schema.examples.length) return schema.examples[0];
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (depth > 4) return null;
    if (type === "object" || schema.properties) {
      const o = {};
      for (const [k, v] of Object.entries(schema.properties || {})) o[k] = example(v, depth + 1);
      return o;
    }
    if (type === "array") return [example(schema.items || {}, depth + 1)];
    return { integer: 1, number: 1, boolean: false }[type] ?? "";
  }

  function answer(box, res) {
    DD.clear(box);
    if (!res.ok) { box.append(DD.el("p", { className: "bad" }, "the dashboard refused the call: " + res.status)); return; }
    const a = res.data;
    box.append(DD.el("p", { className: a.status < 400 ? "ok answer-status" : "bad answer-status" }, "HTTP " + a.status + " · request " + a.request_id + " · ",
      DD.traceLink(a.trace_id, "its trace")),
      DD.el("pre", { className: "answer-headers" }, Object.entries(a.headers).map(([k, v]) => k + ": " + v.join(", ")).join("\n")),
      DD.el("pre", { className: "answer-body" }, DD.pretty(a.body)));
  }

  function operation(path, method, op) {
    const params = (op.parameters || []).map((p) => resolve(p)).filter((p) => p.in === "path" || p.in === "query");
    const inputs = params.map((p) => DD.el("label", {}, " " + p.name + " (" + p.in + ") ", DD.el("input", { name: p.name, "data-in": p.in })));
    const media = op.requestBody && resolve(op.requestBody).content && resolve(op.requestBody).content["application/json"];
    const body = media ? DD.el("textarea", { name: "body" }) : null;
    if (body) body.value = JSON.stringify(example(media.schema, 0), null, 2);
    const out = DD.el("div", { className: "answer" });
    const send = DD.el("button", { className: "send", onclick: async () => {
      let p = path;
      const query = new URLSearchParams();
      for (const i of inputs.map((l) => l.querySelector("input"))) {
        if (i.dataset.in === "path") p = p.replace("{" + i.name + "}", encodeURIComponent(i.value));
        else if (i.value) query.set(i.name, i.value);
      }
      if ([...query].length) p += "?" + query;
      answer(out, await call(method.toUpperCase(), p, body ? body.value : ""));
    } }, "Send");
    return DD.el("details", { className: "op", "data-op": method.toUpperCase() + " " + path },
      DD.el("summary", {}, method.toUpperCase() + " " + path + "  ", DD.el("span", { className: "muted" }, op.summary || "")),
      inputs, body, DD.el("p", {}, send), out);
  }

  async function show() {
    if (doc) return;
    document.getElementById("signin").onclick = () => signIn().catch(console.error);
    if (token) document.getElementById("signed-in").textContent = "signed in (token kept for this tab)";
    const res = await call("GET", "/openapi.json");
    doc = JSON.parse(res.data.body);
    const ops = [];
    for (const [path, item] of Object.entries(doc.paths || {})) {
      for (const [method, op] of Object.entries(item)) if (["get", "post", "put", "patch", "delete"].includes(method)) ops.push(operation(path, method, op));
    }
    DD.clear(document.getElementById("operations")).append(...ops);
  }
  DD.pages.api = { show };
})();
