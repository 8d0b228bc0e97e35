package wiring_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"
)

// bearerOperation is one operation of the served OpenAPI document that
// needs a bearer token.
type bearerOperation struct {
	ID, Method, Path string
	NeedsBody        bool
}

// bearerOperations lists the operations of the served document that
// declare the bearer security requirement, DELETEs last.
func (s *testServer) bearerOperations(t *testing.T) []bearerOperation {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                `json:"operationId"`
			Security    []map[string][]string `json:"security"`
			RequestBody *struct {
				Required bool `json:"required"`
			} `json:"requestBody"`
		} `json:"paths"`
	}
	s.do(t, request{Method: "GET", Path: "/openapi.json"}).expect(t, 200).decode(t, &doc)
	var ops []bearerOperation
	for path, methods := range doc.Paths {
		for method, op := range methods {
			for _, req := range op.Security {
				if _, ok := req["bearer"]; ok {
					ops = append(ops, bearerOperation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path,
						NeedsBody: op.RequestBody != nil && op.RequestBody.Required})
					break
				}
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if di, dj := ops[i].Method == "DELETE", ops[j].Method == "DELETE"; di != dj {
			return dj
		}
		return ops[i].Method+ops[i].Path < ops[j].Method+ops[j].Path
	})
	return ops
}

// call sends op with token, {id} standing for orderID and a valid body
// where the operation takes one.
func (op bearerOperation) call(t *testing.T, s *testServer, token, orderID string) response {
	t.Helper()
	valid := map[string]any{"placeOrder": orderBody("CLOSED-1"), "putAddress": testAddress}
	r := request{Method: op.Method, Path: strings.ReplaceAll(op.Path, "{id}", orderID), Token: token}
	if op.NeedsBody {
		r.Body = valid[op.ID]
		if r.Body == nil {
			r.Body = map[string]any{}
		}
	}
	return s.do(t, r)
}

func TestADeletedUsersTokenIsRefusedOnEveryAuthenticatedRoute(t *testing.T) {
	s := startServer(t)
	_, token := s.signUp(t)
	o := s.placeOrder(t, token, orderBody("A-1"), nil)
	ops := s.bearerOperations(t)
	covered := map[string]bool{}
	for _, op := range ops {
		covered[strings.Join(strings.SplitN(op.Path, "/", 4)[:3], "/")] = true
	}
	for _, prefix := range []string{"/v1/users", "/v1/orders", "/v1/notifications"} {
		if !covered[prefix] {
			t.Fatalf("the OpenAPI document lists no bearer operation under %s: %+v", prefix, ops)
		}
	}

	// The same requests with a live user's token are not refused: what
	// refuses them below is the deletion, not the request.
	_, other := s.signUp(t)
	for _, op := range ops {
		if res := op.call(t, s, other, o.ID); res.Status == http.StatusUnauthorized {
			t.Fatalf("%s %s with a live user's token: 401: %s", op.Method, op.Path, res.Body)
		}
	}

	s.do(t, request{Method: "DELETE", Path: "/v1/users/me", Token: token}).expect(t, http.StatusNoContent)
	for _, path := range []string{"/v1/orders", "/v1/notifications"} {
		eventually(t, "the deletion to reach "+path, func() bool {
			return s.do(t, request{Method: "GET", Path: path, Token: token}).Status == http.StatusUnauthorized
		})
	}

	for _, op := range ops {
		t.Run(op.Method+" "+op.Path, func(t *testing.T) {
			res := op.call(t, s, token, o.ID)
			res.expectProblem(t, http.StatusUnauthorized)
			if got := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
				t.Errorf("WWW-Authenticate %q, want a Bearer challenge", got)
			}
		})
	}
}
