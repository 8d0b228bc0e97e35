// Package lambdafn runs one module behind the AWS Lambda runtime. A single
// handler takes every event a module's functions receive and tells them
// apart by shape: HTTP requests (API Gateway REST and HTTP APIs, ALB,
// function URLs) go to the module's Echo routes through
// aws-lambda-go-api-proxy; SQS batches go to its event processor; a
// scheduled EventBridge event runs its outbox relay once.
package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-lambda-go/events"
	echoadapter "github.com/awslabs/aws-lambda-go-api-proxy/echo"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/tracing"
)

// EventApplier applies one event from a queue (messaging.Processor does);
// attempt is the queue's delivery count.
type EventApplier interface {
	Handle(ctx context.Context, msg *message.Message, attempt int) error
	Poison(ctx context.Context, msg *message.Message, reason error) error
}

// Handler is a module's Lambda handler. It implements lambda.Handler.
type Handler struct {
	v1     *echoadapter.EchoLambda
	v2     *echoadapter.EchoLambdaV2
	alb    *echoadapter.EchoLambdaALB
	events EventApplier                           // nil: the module consumes no events
	relay  func(ctx context.Context) (int, error) // runs the outbox relay once
	decode func([]byte) (*message.Message, error)
	max    int // the largest record body taken
	logger *slog.Logger
}

// New returns the handler of a module: e serves its routes; events (may be
// nil) applies its events; relay runs its outbox relay once; decode reads
// a bus message from an SQS record body of at most maxEventBytes.
func New(e *echo.Echo, events EventApplier, relay func(context.Context) (int, error),
	decode func([]byte) (*message.Message, error), maxEventBytes int, logger *slog.Logger) *Handler {
	return &Handler{
		v1: echoadapter.New(e), v2: echoadapter.NewV2(e), alb: echoadapter.NewALB(e),
		events: events, relay: relay, decode: decode, max: maxEventBytes, logger: logger,
	}
}

// probe holds the fields that tell event shapes apart.
type probe struct {
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
	Source         string          `json:"source"`
	DetailType     string          `json:"detail-type"`
	HTTPMethod     string          `json:"httpMethod"`
	Version        string          `json:"version"`
	RequestContext json.RawMessage `json:"requestContext"`
}

type requestContext struct {
	ELB  json.RawMessage `json:"elb"`
	HTTP json.RawMessage `json:"http"`
}

// ErrUnsupportedEvent is returned for an event of a shape no function takes.
var ErrUnsupportedEvent = errors.New("lambdafn: unsupported event")

// Invoke handles one invocation. Its spans continue the invocation's X-Ray
// trace when X-Ray sampled it (see tracing.ContinueXRay); a traceparent the
// request or the event carries still takes precedence.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	ctx = tracing.ContinueXRay(ctx, lambdaTraceHeader(ctx))
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedEvent, err)
	}
	var rc requestContext
	if len(p.RequestContext) > 0 {
		_ = json.Unmarshal(p.RequestContext, &rc)
	}
	switch {
	case len(p.Records) > 0 && p.Records[0].EventSource == "aws:sqs":
		return invoke(ctx, payload, h.sqs)
	case p.DetailType == "Scheduled Event" || p.Source == "aws.events":
		return invoke(ctx, payload, h.scheduled)
	case len(rc.ELB) > 0:
		return invoke(ctx, payload, h.alb.ProxyWithContext)
	case len(rc.HTTP) > 0 || p.Version == "2.0":
		return invoke(ctx, payload, h.v2.ProxyWithContext)
	case p.HTTPMethod != "":
		return invoke(ctx, payload, h.v1.ProxyWithContext)
	}
	return nil, ErrUnsupportedEvent
}

// lambdaTraceHeader is the invocation's X-Ray trace header, which
// aws-lambda-go puts in the context under this key (and in _X_AMZN_TRACE_ID).
func lambdaTraceHeader(ctx context.Context) string {
	header, _ := ctx.Value("x-amzn-trace-id").(string)
	return header
}

// invoke decodes payload for fn and encodes fn's answer.
func invoke[In, Out any](ctx context.Context, payload []byte, fn func(context.Context, In) (Out, error)) ([]byte, error) {
	var in In
	if err := json.Unmarshal(payload, &in); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedEvent, err)
	}
	out, err := fn(ctx, in)
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// sqs applies each record and reports the ones that failed, so that SQS
// retries them alone (the function's event source mapping must enable
// ReportBatchItemFailures). A record that can never succeed (oversized, not
// a bus message, malformed) is poisoned and not reported; one that failed
// for now (its handler, or the database) is.
func (h *Handler) sqs(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var res events.SQSEventResponse
	if h.events == nil {
		return res, errors.New("lambdafn: this module consumes no events")
	}
	for _, r := range ev.Records {
		if err := h.record(ctx, r); err != nil {
			// The processor logged the failure with the event's ids; this
			// line only ties it to the SQS message, for debugging.
			h.logger.DebugContext(ctx, "event failed; SQS will deliver it again", "message_id", r.MessageId, "error", err)
			res.BatchItemFailures = append(res.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
		}
	}
	return res, nil
}

func (h *Handler) record(ctx context.Context, r events.SQSMessage) error {
	attempt, _ := strconv.Atoi(r.Attributes["ApproximateReceiveCount"])
	if len(r.Body) > h.max {
		// Its size and first bytes tell what it was; the poison queue keeps no more.
		msg := message.NewMessage(r.MessageId, []byte(r.Body[:min(len(r.Body), poisonedPrefix)]))
		msg.Metadata.Set("size", strconv.Itoa(len(r.Body)))
		return h.events.Poison(ctx, msg, fmt.Errorf("a record of %d bytes is over the limit of %d", len(r.Body), h.max))
	}
	msg, err := h.decode([]byte(r.Body))
	if err != nil {
		// Not a bus message at all: keep it, whole, in the poison queue.
		return h.events.Poison(ctx, message.NewMessage(r.MessageId, []byte(r.Body)), err)
	}
	return h.events.Handle(ctx, msg, max(attempt, 1))
}

// poisonedPrefix caps what the poison queue keeps of an oversized record.
const poisonedPrefix = 4 << 10

type relayResult struct {
	Relayed int `json:"relayed"`
}

func (h *Handler) scheduled(ctx context.Context, _ events.EventBridgeEvent) (relayResult, error) {
	n, err := h.relay(ctx)
	return relayResult{Relayed: n}, err
}
