package tracing

import (
	"context"
	"encoding/hex"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// ContinueXRay returns ctx carrying, as its remote parent, the trace an AWS
// X-Ray trace header names, when that trace is sampled: the header the
// Lambda runtime gives each invocation (_X_AMZN_TRACE_ID, or the context
// value aws-lambda-go stores it under), of the form
//
//	Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1
//
// The spans of the invocation then nest under the function's X-Ray segment:
// one trace in X-Ray, whose id is the Root's 32 hex digits. An unsampled
// header (X-Ray active tracing off, or its sampler declined the request), a
// malformed one or none leaves ctx as it is: continuing an unsampled trace
// would silence every span of the invocation, whatever exports them.
// Trace ids are not rewritten: X-Ray takes W3C trace ids, random ones
// included, since October 2023 (ADOT collector v0.34 and later).
func ContinueXRay(ctx context.Context, header string) context.Context {
	sc, ok := parseXRay(header)
	if !ok || !sc.IsSampled() {
		return ctx
	}
	return trace.ContextWithRemoteSpanContext(ctx, sc)
}

// parseXRay reads Root, Parent and Sampled from an X-Ray trace header,
// ignoring its other fields (Self, Lineage, …).
func parseXRay(header string) (trace.SpanContext, bool) {
	var cfg trace.SpanContextConfig
	var root, parent bool
	for _, field := range strings.Split(header, ";") {
		key, value, _ := strings.Cut(strings.TrimSpace(field), "=")
		switch key {
		case "Root":
			// 1-<8 hex digits: epoch seconds>-<24 hex digits>
			version, id, _ := strings.Cut(value, "-")
			epoch, rest, _ := strings.Cut(id, "-")
			root = version == "1" && len(epoch) == 8 && decodeHex(cfg.TraceID[:], epoch+rest)
		case "Parent":
			parent = decodeHex(cfg.SpanID[:], value)
		case "Sampled":
			if value == "1" {
				cfg.TraceFlags = trace.FlagsSampled
			}
		}
	}
	cfg.Remote = true
	sc := trace.NewSpanContext(cfg)
	return sc, root && parent && sc.IsValid()
}

// decodeHex fills dst with the hex digits of s, which must be exactly enough.
func decodeHex(dst []byte, s string) bool {
	if len(s) != 2*len(dst) { // hex.Decode would write past dst
		return false
	}
	_, err := hex.Decode(dst, []byte(s))
	return err == nil
}
