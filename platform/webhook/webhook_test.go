package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"example.com/modmono/platform/webhook"
)

func newClient(t *testing.T, cfg webhook.Config) *webhook.Client {
	t.Helper()
	c, err := webhook.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A slow endpoint is cut by the timeout: the call fails after about the
// timeout, not after the endpoint's answer, and counts as a timeout.
func TestASlowEndpointIsCutByTheTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leave
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c := newClient(t, webhook.Config{URL: srv.URL, Timeout: 200 * time.Millisecond})
	start := time.Now()
	err := c.Post(context.Background(), "n1", []byte(`{}`))
	took := time.Since(start)
	if err == nil || took > 2*time.Second {
		t.Fatalf("Post to an endpoint answering in 5s: %v after %s, want an error after about 200ms", err, took)
	}
	if s := c.Stats(); s.Timeout != 1 || s.Failed != 1 {
		t.Errorf("stats %+v, want one failed call, a timeout", s)
	}
	t.Logf("cut after %s: %v", took.Round(time.Millisecond), err)
}

// Failures in a row open the breaker, which then refuses calls without
// making them; after OpenFor one trial call goes through, and its success
// closes the breaker.
func TestTheBreakerOpensOnFailuresAndClosesOnASuccessfulTrial(t *testing.T) {
	var hits atomic.Int64
	var down atomic.Bool
	down.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if down.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	c := newClient(t, webhook.Config{URL: srv.URL, Failures: 3, OpenFor: 100 * time.Millisecond})
	for range 10 {
		_ = c.Post(context.Background(), "n1", []byte(`{}`))
	}
	if s := c.Stats(); hits.Load() != 3 || s.State != "open" || s.Refused != 7 || s.Failed != 3 {
		t.Fatalf("after 10 calls to a failing endpoint: %d reached it, stats %+v; want 3, open, 7 refused", hits.Load(), s)
	}
	if err := c.Post(context.Background(), "n1", []byte(`{}`)); !errors.Is(err, webhook.ErrOpen) {
		t.Errorf("a call while open: %v, want ErrOpen", err)
	}
	down.Store(false)
	time.Sleep(150 * time.Millisecond)
	if err := c.Post(context.Background(), "n1", []byte(`{}`)); err != nil {
		t.Fatalf("the trial call: %v", err)
	}
	if s := c.Stats(); s.State != "closed" {
		t.Errorf("after a successful trial the breaker is %s, want closed", s.State)
	}
}

// Each call carries the document's id and, with a secret, the body's
// HMAC-SHA256 under it.
func TestACallIsSignedAndNamesTheDocument(t *testing.T) {
	const secret, body = "webhook-secret", `{"id":"n1"}`
	var gotID, gotSig, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotID, gotSig, gotBody = r.Header.Get(webhook.IDHeader), r.Header.Get(webhook.SignatureHeader), string(b)
	}))
	defer srv.Close()
	c := newClient(t, webhook.Config{URL: srv.URL, Secret: secret})
	if err := c.Post(context.Background(), "n1", []byte(body)); err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); gotSig != want || gotID != "n1" || gotBody != body {
		t.Errorf("got id %q, signature %q, body %q; want n1, %s, %s", gotID, gotSig, gotBody, want, body)
	}
}

// A URL that is not absolute http(s) is refused at New.
func TestNewRefusesABadURL(t *testing.T) {
	for _, u := range []string{"", "example.com/hook", "ftp://example.com/hook", "http://"} {
		if _, err := webhook.New(webhook.Config{URL: u}); err == nil {
			t.Errorf("New accepted URL %q", u)
		}
	}
}

// An error names the endpoint by Config.Name, never by the path or query
// of its URL, where a token often goes.
func TestAnErrorShowsNoTokenOfTheURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/hooks/tok3n?key=tok3n"
	srv.Close() // refused from now on
	c := newClient(t, webhook.Config{URL: url, Name: "hook"})
	err := c.Post(context.Background(), "n1", []byte(`{}`))
	if err == nil {
		t.Fatal("a post to a closed port succeeded")
	}
	if strings.Contains(err.Error(), "tok3n") || !strings.HasPrefix(err.Error(), "hook: ") {
		t.Errorf("error %q: want it to start with the name and show no token", err)
	}
}
