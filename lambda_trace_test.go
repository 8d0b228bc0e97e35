package main

import (
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver takes OTLP/HTTP trace exports, as the ADOT collector layer
// does on localhost:4318, and keeps their spans.
type otlpReceiver struct {
	url   string
	mu    sync.Mutex
	spans []*tracepb.Span
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	r := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var export collectortrace.ExportTraceServiceRequest
		if req.URL.Path != "/v1/traces" || proto.Unmarshal(body, &export) != nil {
			t.Errorf("OTLP export to %s of %d bytes that is not a trace export", req.URL.Path, len(body))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, rs := range export.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				r.spans = append(r.spans, ss.Spans...)
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(nil)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// span waits for the span named name.
func (r *otlpReceiver) span(t *testing.T, name string) *tracepb.Span {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		for _, s := range r.spans {
			if s.Name == name {
				r.mu.Unlock()
				return s
			}
		}
		r.mu.Unlock()
	}
	t.Fatalf("no span %q exported", name)
	return nil
}

// TestLambdaProcessContinuesTheRuntimesXRayTrace runs the binary as a
// function exporting to an OTLP endpoint (the collector layer's), and hands
// it invocations with the trace header the Lambda service gives each one
// (Lambda-Runtime-Trace-Id, which aws-lambda-go passes on): an invocation
// X-Ray sampled is the parent of the function's spans, one it did not is not.
func TestLambdaProcessContinuesTheRuntimesXRayTrace(t *testing.T) {
	otlp := newOTLPReceiver(t)
	bin := buildBinary(t)
	api := newRuntimeAPI(t)
	p := &process{bin: bin, dataDir: t.TempDir(), port: freePort(t), t: t,
		env: []string{"AWS_LAMBDA_RUNTIME_API=" + api.addr, "APP_MODULE=orders", "OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.url}}
	p.startNoWait()
	defer p.kill()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("function log:\n%s", p.log.String())
		}
	})

	const root, segment = "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"
	header := "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=" + segment + ";Sampled="
	api.invokeTraced(t, "inv-1", httpV2Event("GET", "/v1/orders", "", ""), header+"1")
	s := otlp.span(t, "GET /v1/orders")
	if got, parent := hex.EncodeToString(s.TraceId), hex.EncodeToString(s.ParentSpanId); got != root || parent != segment {
		t.Errorf("sampled by X-Ray: the server span is in trace %s, child of %q; want %s, child of the function's segment %s",
			got, parent, root, segment)
	}

	api.invokeTraced(t, "inv-2", httpV2Event("GET", "/v1/orders/o-1", "", ""), header+"0")
	s = otlp.span(t, "GET /v1/orders/:id")
	if got := hex.EncodeToString(s.TraceId); got == root || len(s.ParentSpanId) != 0 {
		t.Errorf("not sampled by X-Ray: the server span is in trace %s, child of %x; want a root of its own, exported", got, s.ParentSpanId)
	}
}
