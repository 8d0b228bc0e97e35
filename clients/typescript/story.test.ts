// The whole story, driven by a client generated at test time from the served
// /openapi.json (openapi-typescript for the types, openapi-fetch for the calls).
// make client-test generates gen/schema.d.ts, type-checks this file against it
// with tsc, and runs the result with node --test against MODMONO_URL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./gen/schema.js";

type Problem = components["schemas"]["Problem"];
type Order = components["schemas"]["orders.Order"];
type Notification = components["schemas"]["notifications.Notification"];

const baseUrl = process.env.MODMONO_URL;
if (!baseUrl) throw new Error("MODMONO_URL is not set (run make client-test)");

const anon = createClient<paths>({ baseUrl });
const authed = (token: string) =>
  createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

// A problem answer: application/problem+json whose body is a typed Problem.
function assertProblem(res: Response, error: Problem | undefined, status: number): Problem {
  assert.equal(res.status, status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  assert.ok(error, `a ${status} with a problem body`);
  const p: Problem = error;
  assert.equal(p.status, status);
  assert.equal(typeof p.type, "string");
  assert.ok(p.title.length > 0);
  return p;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("register → token → address → order (with a replay) → list → cancel → notifications → delete", async () => {
  const email = `story-${randomUUID()}@example.com`;
  const password = "correct horse battery";

  // Error 1: 400 with a field error for a password that is too short.
  {
    const { data, error, response } = await anon.POST("/v1/users", {
      body: { email, password: "short", name: "Ada" },
    });
    assert.equal(data, undefined);
    const p = assertProblem(response, error, 400);
    assert.ok(p.errors?.some((e) => e.field === "password"), JSON.stringify(p));
  }

  // Register.
  const reg = await anon.POST("/v1/users", { body: { email, password, name: "Ada Lovelace" } });
  assert.equal(reg.response.status, 201, JSON.stringify(reg.error));
  assert.ok(reg.data);
  assert.equal(reg.data.email, email);
  assert.equal(reg.data.name, "Ada Lovelace");
  assert.equal(reg.response.headers.get("location"), "/v1/users/me");
  const userId = reg.data.id;

  // Error 2: 409 for the same e-mail again.
  {
    const { error, response } = await anon.POST("/v1/users", { body: { email, password, name: "Again" } });
    assertProblem(response, error, 409);
  }

  // Token.
  const tok = await anon.POST("/v1/auth/token", { body: { email, password } });
  assert.equal(tok.response.status, 200, JSON.stringify(tok.error));
  assert.ok(tok.data);
  assert.equal(tok.data.token_type, "Bearer");
  assert.ok(tok.data.expires_in > 0);
  const api = authed(tok.data.access_token);

  // Error 3: 401 for a wrong password, the same problem as for an unknown e-mail.
  {
    const { error, response } = await anon.POST("/v1/auth/token", { body: { email, password: "wrong password!" } });
    assertProblem(response, error, 401);
  }

  // Address.
  const addr = await api.PUT("/v1/users/me/address", {
    body: { line1: "1 Main St", city: "Berlin", postal_code: "10115", country: "de" },
  });
  assert.equal(addr.response.status, 200, JSON.stringify(addr.error));
  assert.ok(addr.data);
  assert.equal(addr.data.id, userId);
  assert.deepEqual(addr.data.address, { line1: "1 Main St", city: "Berlin", postal_code: "10115", country: "DE" });

  const me = await api.GET("/v1/users/me");
  assert.equal(me.response.status, 200);
  assert.equal(me.data?.address?.city, "Berlin");

  // Order, shipping to the account's address: the orders module learns it from
  // an event, so until then the order is a 422; the same Idempotency-Key is
  // safe to retry, as only a placed order is stored under it.
  const key = `story-${randomUUID()}`;
  const body: components["schemas"]["orders.PlaceOrder"] = {
    items: [
      { sku: "BOOK-1", quantity: 2, unit_price_cents: 1250 },
      { sku: "PEN-7", quantity: 1, unit_price_cents: 199 },
    ],
    currency: "eur",
  };
  const place = () => api.POST("/v1/orders", { params: { header: { "Idempotency-Key": key } }, body });
  const first = await eventually("the orders module to learn the address", async () => {
    const r = await place();
    if (r.response.status === 422) {
      assertProblem(r.response, r.error, 422);
      return undefined;
    }
    return r;
  });
  assert.equal(first.response.status, 201, JSON.stringify(first.error));
  assert.equal(first.response.headers.get("idempotent-replayed"), null);
  const order: Order | undefined = first.data;
  assert.ok(order);
  assert.equal(order.user_id, userId);
  assert.equal(order.status, "placed");
  assert.equal(order.currency, "EUR");
  assert.equal(order.total_cents, 2 * 1250 + 199);
  assert.equal(order.shipping_address?.city, "Berlin");
  assert.equal(first.response.headers.get("location"), `/v1/orders/${order.id}`);

  // The replay: same key, same body → the stored 201, marked as replayed.
  const again = await place();
  assert.equal(again.response.status, 201, JSON.stringify(again.error));
  assert.equal(again.response.headers.get("idempotent-replayed"), "true");
  assert.deepEqual(again.data, order);
  assert.equal(again.response.headers.get("location"), `/v1/orders/${order.id}`);

  // The same key with another body is a 422 problem.
  {
    const { error, response } = await api.POST("/v1/orders", {
      params: { header: { "Idempotency-Key": key } },
      body: { ...body, currency: "USD" },
    });
    assertProblem(response, error, 422);
  }

  // List: the one order (the replay placed none).
  const list = await api.GET("/v1/orders", { params: { query: { limit: 10 } } });
  assert.equal(list.response.status, 200, JSON.stringify(list.error));
  assert.ok(list.data);
  assert.deepEqual(list.data.items.map((o) => o.id), [order.id]);
  assert.equal(list.data.next_cursor, undefined);

  const got = await api.GET("/v1/orders/{id}", { params: { path: { id: order.id } } });
  assert.equal(got.response.status, 200);
  assert.deepEqual(got.data, order);

  // Cancel, then cancel again: 409.
  const cancel = await api.POST("/v1/orders/{id}/cancel", { params: { path: { id: order.id } } });
  assert.equal(cancel.response.status, 200, JSON.stringify(cancel.error));
  assert.equal(cancel.data?.status, "cancelled");
  {
    const { error, response } = await api.POST("/v1/orders/{id}/cancel", { params: { path: { id: order.id } } });
    assertProblem(response, error, 409);
  }

  // A UUID that is no order of ours: 404.
  {
    const { error, response } = await api.GET("/v1/orders/{id}", { params: { path: { id: randomUUID() } } });
    assertProblem(response, error, 404);
  }

  // Notifications arrive from events: wait for all four kinds.
  const want: Notification["kind"][] = ["welcome", "address_changed", "order_placed", "order_cancelled"];
  const notes = await eventually("the four notifications", async () => {
    const r = await api.GET("/v1/notifications", { params: { query: { limit: 100 } } });
    assert.equal(r.response.status, 200, JSON.stringify(r.error));
    const items = r.data?.items ?? [];
    return want.every((k) => items.some((n) => n.kind === k)) ? items : undefined;
  });
  assert.equal(notes.length, 4, JSON.stringify(notes.map((n) => n.kind)));
  for (const n of notes) {
    assert.ok(n.subject.length > 0);
    assert.ok(n.event_id.length > 0);
  }

  // Delete the account: 204, then its token is refused with a 401 problem.
  const del = await api.DELETE("/v1/users/me");
  assert.equal(del.response.status, 204, JSON.stringify(del.error));
  {
    const { error, response } = await api.GET("/v1/users/me");
    const p = assertProblem(response, error, 401);
    assert.ok(p.title.length > 0);
    assert.match(response.headers.get("www-authenticate") ?? "", /invalid_token/);
  }
  // Orders learns of the deletion from an event.
  await eventually("orders to apply the deletion", async () => {
    const r = await api.GET("/v1/orders");
    if (r.response.status !== 401) return undefined;
    assertProblem(r.response, r.error, 401);
    return true;
  });
});
