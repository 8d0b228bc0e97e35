// Package webhook posts JSON documents to an HTTP endpoint on behalf of a
// worker, protected against a failing endpoint: every call has a timeout,
// and a circuit breaker stops calling an endpoint that keeps failing until
// a trial call finds it back. A call is synchronous and leaves no goroutine
// behind, so a failing endpoint piles nothing up; what was not delivered
// stays with the caller, to retry.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker"
)

// Headers every call carries besides Content-Type.
const (
	// IDHeader names the document: a retried call carries the same id, so
	// the endpoint can tell repeats.
	IDHeader = "Idempotency-Key"
	// SignatureHeader is "sha256=" and the hex HMAC-SHA256 of the body under
	// Config.Secret, when one is set.
	SignatureHeader = "X-Webhook-Signature"
)

// ErrOpen is returned, without calling the endpoint, while the breaker is
// open (or a trial call is already under way).
var ErrOpen = errors.New("webhook: circuit breaker open, endpoint not called")

// Config describes one endpoint. The zero values of the optional fields
// are the defaults documented on them.
type Config struct {
	// URL is the endpoint, http or https. Required.
	URL string
	// Secret, when set, signs each body (SignatureHeader).
	Secret string
	// Name names the endpoint in logs and metrics. Default: "webhook".
	Name string
	// Timeout bounds each call, connection and response included.
	// Default: 5s.
	Timeout time.Duration
	// Failures is how many failed calls in a row open the breaker.
	// Default: 5.
	Failures int
	// OpenFor is how long the breaker stays open before it lets one trial
	// call through. Default: 30s.
	OpenFor time.Duration
	// Logger receives the breaker's changes of state. Default: slog's.
	Logger *slog.Logger
}

func (c *Config) setDefaults() {
	if c.Name == "" {
		c.Name = "webhook"
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Failures <= 0 {
		c.Failures = 5
	}
	if c.OpenFor <= 0 {
		c.OpenFor = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Validate reports a missing or malformed URL.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("webhook: the URL is not an absolute http or https URL")
	}
	return nil
}

// Client posts to one endpoint. It is safe for concurrent use.
type Client struct {
	cfg     Config
	http    *http.Client
	breaker *gobreaker.CircuitBreaker
	calls   atomic.Uint64 // calls made to the endpoint
	failed  atomic.Uint64 // of those, failed (timeouts included)
	timeout atomic.Uint64 // of those, cut by Timeout
	refused atomic.Uint64 // calls the open breaker refused
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, http: &http.Client{
		Transport: http.DefaultTransport.(*http.Transport).Clone(),
		// Redirects are refused: a body is signed for one endpoint only.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	c.breaker = gobreaker.NewCircuitBreaker(gobreaker.Settings{
		Name:        cfg.Name,
		MaxRequests: 1,
		Timeout:     cfg.OpenFor,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= uint32(cfg.Failures) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			level := slog.LevelWarn
			if to == gobreaker.StateClosed {
				level = slog.LevelInfo
			}
			cfg.Logger.Log(context.Background(), level, "circuit breaker "+to.String(),
				"breaker", name, "from", from.String(), "to", to.String())
		},
		// The caller giving up (shutdown) says nothing about the endpoint.
		IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, context.Canceled) },
	})
	return c, nil
}

// Post sends body, a JSON document, with id in IDHeader. It returns nil
// once the endpoint answered 2xx; any other answer, a timeout or a network
// error is a failure the breaker counts, and ErrOpen means the endpoint was
// not called.
func (c *Client) Post(ctx context.Context, id string, body []byte) error {
	_, err := c.breaker.Execute(func() (any, error) { return nil, c.post(ctx, id, body) })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		c.refused.Add(1)
		return fmt.Errorf("%s: %w", c.cfg.Name, ErrOpen)
	}
	return err
}

func (c *Client) post(ctx context.Context, id string, body []byte) (err error) {
	c.calls.Add(1)
	defer func() {
		if err != nil && !errors.Is(err, context.Canceled) {
			c.failed.Add(1)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IDHeader, id)
	if c.cfg.Secret != "" {
		mac := hmac.New(sha256.New, []byte(c.cfg.Secret))
		mac.Write(body)
		req.Header.Set(SignatureHeader, "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	res, err := c.http.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			c.timeout.Add(1)
			return fmt.Errorf("%s: no answer within %s", c.cfg.Name, c.cfg.Timeout)
		}
		// url.Error quotes the URL, which may carry a token.
		return fmt.Errorf("%s: %w", c.cfg.Name, errors.Unwrap(err))
	}
	defer res.Body.Close()
	// Read a little of the body so the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s: answered %s", c.cfg.Name, res.Status)
	}
	return nil
}

// Stats is what a Client did since it was made, and its breaker's state.
type Stats struct {
	Name    string
	State   string // "closed", "half-open" or "open"
	Calls   uint64 // calls made to the endpoint
	Failed  uint64 // of those, failed, timeouts included
	Timeout uint64 // of those, cut by Config.Timeout
	Refused uint64 // calls the open breaker refused without calling
}

// Stats returns c's figures now.
func (c *Client) Stats() Stats {
	return Stats{Name: c.cfg.Name, State: c.breaker.State().String(), Calls: c.calls.Load(),
		Failed: c.failed.Load(), Timeout: c.timeout.Load(), Refused: c.refused.Load()}
}
