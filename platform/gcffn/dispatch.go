package gcffn

import (
	"context"
	"net/http"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	cloudevents "github.com/cloudevents/sdk-go/v2"
)

// call is what one request asks of the function the framework dispatches
// it to: the handler to run, or the events function and, once it ran, its
// outcome. It rides in the request's context, so the functions registered
// once per process serve whichever Function instance received the request.
type call struct {
	http   http.Handler
	events func(context.Context, cloudevents.Event) error
	ran    bool
	err    error
}

type callKey struct{}

func withCall(ctx context.Context, c *call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// runHTTP is the HTTP function registered with the framework.
func runHTTP(w http.ResponseWriter, r *http.Request) {
	c := callFrom(r.Context())
	if c == nil || c.http == nil {
		http.Error(w, "not served through gcffn", http.StatusInternalServerError)
		return
	}
	c.http.ServeHTTP(w, r)
}

// runEvents is the CloudEvent function registered with the framework. It
// records its outcome for the handler in front, which tells Pub/Sub 503
// from 500 (the framework answers 500 to any error).
func runEvents(ctx context.Context, e cloudevents.Event) error {
	c := callFrom(ctx)
	if c == nil || c.events == nil {
		return errNotServed
	}
	c.ran = true
	c.err = c.events(ctx, e)
	return c.err
}

// HTTPFunction registers name with the Functions Framework as an HTTP
// function and returns the framework's handler for it (name must be
// FUNCTION_TARGET), which dispatches each request to h.
func HTTPFunction(name string, h http.Handler) (http.Handler, error) {
	register(name, func() { functions.HTTP(name, runHTTP) })
	fw, err := framework(name)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fw.ServeHTTP(w, r.WithContext(withCall(r.Context(), &call{http: h})))
	}), nil
}

// eventsFunction registers name with the Functions Framework as a
// CloudEvent function and returns a dispatch that hands one request to the
// framework's handler for it, which decodes the CloudEvent (converting a
// Pub/Sub push or a background event first) and calls events with it
// within timeout.
//
// Dispatches run one at a time, and under a context that nothing cancels:
// the CloudEvents SDK under the framework pairs each request's message
// with whichever waiting goroutine reads it first, and a goroutine whose
// context ended reads none, which leaves the request's send, and so every
// later dispatch, blocked for good. So a request whose client is gone is
// not dispatched at all, and the event's own deadline (timeout) is what
// bounds a dispatch.
func eventsFunction(name string, events func(context.Context, cloudevents.Event) error, timeout time.Duration) (func(http.ResponseWriter, *http.Request) (*call, error), error) {
	register(name, func() { functions.CloudEvent(name, runEvents) })
	fw, err := framework(name)
	if err != nil {
		return nil, err
	}
	bounded := func(ctx context.Context, e cloudevents.Event) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return events(ctx, e)
	}
	one := make(chan struct{}, 1)
	return func(w http.ResponseWriter, r *http.Request) (*call, error) {
		select {
		case one <- struct{}{}:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
		defer func() { <-one }()
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		c := &call{events: bounded}
		fw.ServeHTTP(w, r.WithContext(withCall(context.WithoutCancel(r.Context()), c)))
		return c, nil
	}, nil
}
