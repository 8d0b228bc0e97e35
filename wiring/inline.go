package wiring

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/messaging"
)

// A function publishes the events it commits itself, right after the
// commit and before it answers, instead of leaving them for the scheduled
// relay (a minute away): it runs the module's relay once, for at most
// INLINE_PUBLISH_TIMEOUT. That is the scheduled relay's own code, under the
// same lease, so the two never publish side by side and the outbox order
// holds (see messaging.RelayCommitted). What it cannot publish in time — the
// bus fails or is slow, the process dies — stays in the outbox for the
// scheduled relay, the sweep; the request has committed and succeeds anyway.

// publishAfterCommit is the HTTP function's middleware that publishes what
// the request committed.
func (f *Function) publishAfterCommit(next echo.HandlerFunc) echo.HandlerFunc {
	if f.inline <= 0 {
		return next
	}
	return func(c echo.Context) error {
		ctx, committed := messaging.TrackCommits(c.Request().Context())
		c.SetRequest(c.Request().WithContext(ctx))
		err := next(c)
		if committed() {
			f.publishCommitted(ctx)
		}
		return err
	}
}

// publishCommitted runs the relay once, bounded by f.inline, whatever
// becomes of ctx: the events are committed, and a client that went away
// does not make them less urgent. A failure is a warning: the sweep will
// publish them.
func (f *Function) publishCommitted(ctx context.Context) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.inline)
	defer cancel()
	err := f.setRelayOnce(ctx)
	var n int
	if err == nil {
		n, err = messaging.RelayCommitted(ctx, f.module.DB(), f.publisher, messaging.WatermillLogger(f.logger))
	}
	if err != nil {
		f.logger.WarnContext(ctx, "committed events not all published; the scheduled relay will publish the rest",
			"published", n, "took", time.Since(start).Round(time.Millisecond), "error", err)
		return
	}
	f.logger.DebugContext(ctx, "published committed events", "published", n, "took", time.Since(start).Round(time.Millisecond))
}

// setRelayOnce makes the function's relay the outbox's, once per process
// rather than once per request: it is a write. Two first requests may both
// do it, which is harmless.
func (f *Function) setRelayOnce(ctx context.Context) error {
	if f.relaySet.Load() {
		return nil
	}
	if err := messaging.SetRelayOnce(ctx, f.module.DB()); err != nil {
		return err
	}
	f.relaySet.Store(true)
	return nil
}

// publishingApplier applies events as its Processor does, and publishes the
// events a handler committed (orders cancels a deleted user's open orders)
// after each.
type publishingApplier struct {
	*messaging.Processor
	f *Function
}

func (a publishingApplier) Handle(ctx context.Context, msg *message.Message, attempt int) error {
	ctx, committed := messaging.TrackCommits(ctx)
	err := a.Processor.Handle(ctx, msg, attempt)
	if committed() {
		a.f.publishCommitted(ctx)
	}
	return err
}

// eventApplier is what the function's event entrypoints apply events with:
// the processor, publishing inline when f does.
func (f *Function) eventApplier() interface {
	Handle(ctx context.Context, msg *message.Message, attempt int) error
	Poison(ctx context.Context, msg *message.Message, reason error) error
} {
	if f.inline <= 0 {
		return f.Processor
	}
	return publishingApplier{f.Processor, f}
}
