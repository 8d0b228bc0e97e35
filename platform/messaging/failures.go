package messaging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/sqldb"
)

// retryable is a failed attempt that may succeed later, after wait.
type retryable struct {
	err  error
	wait time.Duration
}

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

// poisoned is a failed attempt whose message is now in the poison queue:
// the span shows it as failed, the delivery is done.
type poisoned struct{ err error }

func (e poisoned) Error() string { return "moved to the poison queue: " + e.err.Error() }
func (e poisoned) Unwrap() error { return e.err }

// settled is what a settled attempt returns to the one who delivered it.
func settled(err error) error {
	if errors.As(err, new(poisoned)) {
		return nil
	}
	return err
}

// retried runs h until it returns anything but a retryable error, waiting
// as that error says between attempts. Each attempt starts from the
// delivery's context, so that its span is not a child of the last one's.
func (p *Processor) retried(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		for {
			msg.SetContext(ctx)
			out, err := h(msg)
			var r retryable
			if !errors.As(err, &r) {
				return out, settled(err)
			}
			select {
			case <-ctx.Done():
				return nil, errors.Join(r.err, ctx.Err()) // not poisoned: delivered again later
			case <-time.After(r.wait):
			}
		}
	}
}

// settle decides what a failed attempt means, and logs it once. A failure
// that may pass and has attempts left is retryable: after backoff(attempt)
// on the bus, or (backoff nil) when the queue delivers it again. So is one
// of a database out of reach (a read-only or full disk, a lost connection),
// however many attempts it took: the event is not at fault, and poisoning
// it would leave it for an operator to replay. Any other puts the message
// in the poison queue.
func (p *Processor) settle(backoff func(attempt int) time.Duration) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			attempt, _ := strconv.Atoi(msg.Metadata.Get(MetaAttempts))
			attempt = max(attempt, 1)
			// Nor is an attempt cut short by its delivery's end (shutdown, a
			// function's deadline): it is delivered again.
			notAtFault := sqldb.IsUnavailable(err) || msg.Context().Err() != nil ||
				errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
			if errors.As(err, new(malformedError)) || attempt > p.cfg.MaxRetries && !notAtFault {
				return nil, p.toPoison(msg, err, attempt)
			}
			args := p.logArgs(msg, attempt, "error", err)
			if backoff == nil {
				p.logger.WarnContext(msg.Context(), "event failed; its queue will deliver it again", args...)
				return nil, retryable{err: err}
			}
			wait := backoff(attempt)
			p.logger.WarnContext(msg.Context(), "event failed; retrying", append(args, "retry_in", wait.String())...)
			return nil, retryable{err: err, wait: wait}
		}
	}
}

// backoff is the wait after a failed attempt: InitialInterval, doubling up
// to MaxInterval.
func (p *Processor) backoff(attempt int) time.Duration {
	wait := p.cfg.InitialInterval
	for i := 1; i < attempt && wait < p.cfg.MaxInterval; i++ {
		wait *= 2
	}
	return min(wait, p.cfg.MaxInterval)
}

// toPoison stores msg in the poison queue, marks the attempt's span and
// logs the one line that says so.
func (p *Processor) toPoison(msg *message.Message, reason error, attempt int) error {
	msg.Metadata.Set(middleware.ReasonForPoisonedKey, reason.Error())
	msg.Metadata.Set(MetaAttempts, strconv.Itoa(attempt))
	if err := p.poisoned.Publish(PoisonTopic, capped(msg)); err != nil {
		err = fmt.Errorf("poison queue: %w (after: %v)", err, reason)
		p.logger.ErrorContext(msg.Context(), "event failed and cannot be poisoned", p.logArgs(msg, attempt, "error", err)...)
		return err
	}
	span := trace.SpanFromContext(msg.Context())
	span.SetAttributes(attribute.Bool("modmono.poisoned", true))
	span.AddEvent("poisoned")
	p.logger.ErrorContext(msg.Context(), "event poisoned", p.logArgs(msg, attempt, "reason", reason)...)
	return poisoned{reason}
}

// logArgs are the attributes of a line about one attempt at msg; request_id
// and trace_id come from its context.
func (p *Processor) logArgs(msg *message.Message, attempt int, more ...any) []any {
	return append([]any{"module", p.module, "topic", eventType(msg), "event_id", msg.UUID, "attempt", attempt}, more...)
}

// eventType is msg's versioned event name: its metadata says, or else the
// topic a router received it on.
func eventType(msg *message.Message) string {
	if t := msg.Metadata.Get(MetaEventType); t != "" {
		return t
	}
	return message.SubscribeTopicFromCtx(msg.Context())
}
