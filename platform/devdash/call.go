package devdash

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
)

// apiCall is a request the API explorer asks the dashboard to make.
type apiCall struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// apiAnswer is how the application answered, and the trace it made.
type apiAnswer struct {
	Status    int                 `json:"status"`
	Headers   map[string][]string `json:"headers"`
	Body      string              `json:"body"`
	TraceID   string              `json:"trace_id"`
	RequestID string              `json:"request_id"`
}

// maxCallBytes bounds what a call sends and what of its answer is shown.
const maxCallBytes = 1 << 20

// call makes the explorer's request to the application in-process, in a
// trace of its own (a traceparent it starts), so that the answer links to
// its trace.
func (d *Dashboard) call(w http.ResponseWriter, r *http.Request) {
	if d.src.API == nil {
		http.Error(w, "no API here", http.StatusNotFound)
		return
	}
	var c apiCall
	if err := json.NewDecoder(io.LimitReader(r.Body, maxCallBytes)).Decode(&c); err != nil {
		http.Error(w, "the call is not JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	if !strings.HasPrefix(c.Path, "/") || strings.HasPrefix(c.Path, "//") || !validMethod(c.Method) {
		http.Error(w, "the call needs a method and a path starting with one /", http.StatusBadRequest)
		return
	}
	req := httptest.NewRequestWithContext(r.Context(), c.Method, c.Path, strings.NewReader(c.Body))
	req.RemoteAddr = "127.0.0.1:1"
	for k, v := range c.Headers {
		req.Header.Set(k, v)
	}
	traceID := randomHex(16)
	req.Header.Set("Traceparent", "00-"+traceID+"-"+randomHex(8)+"-01")
	rec := httptest.NewRecorder()
	d.src.API.ServeHTTP(rec, req)
	body := rec.Body.Bytes()
	if len(body) > maxCallBytes {
		body = body[:maxCallBytes]
	}
	writeJSON(w, apiAnswer{Status: rec.Code, Headers: rec.Header(), Body: string(body), TraceID: traceID,
		RequestID: rec.Header().Get("X-Request-Id")})
}

func validMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
