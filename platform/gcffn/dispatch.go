package gcffn

import (
	"context"
	"net/http"
	"sync"

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
// Pub/Sub push or a background event first) and calls events with it.
//
// Dispatches run one at a time: the CloudEvents SDK under the framework
// pairs each request's message with whichever request's goroutine reads it
// first, so concurrent requests could run one event under another's
// context, and record its outcome there.
func eventsFunction(name string, events func(context.Context, cloudevents.Event) error) (func(http.ResponseWriter, *http.Request) *call, error) {
	register(name, func() { functions.CloudEvent(name, runEvents) })
	fw, err := framework(name)
	if err != nil {
		return nil, err
	}
	var one sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) *call {
		c := &call{events: events}
		one.Lock()
		defer one.Unlock()
		fw.ServeHTTP(w, r.WithContext(withCall(r.Context(), c)))
		return c
	}, nil
}
