package tracing_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"example.com/modmono/platform/tracing"
)

func TestContinueXRayTakesTheSampledLambdaTraceAsParent(t *testing.T) {
	tests := []struct {
		name, header        string
		wantTrace, wantSpan string // empty: ctx left as it was
	}{
		{"the runtime's sampled header", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"fields in any order, and ones it does not read", "Sampled=1;Self=1-67891234-12456789abcdef012345678;Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a87bd80c:1",
			"5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8"},
		{"unsampled: X-Ray off or its sampler declined", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", "", ""},
		{"no sampling decision", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", "", ""},
		{"a root without a parent, as API Gateway sends", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", "", ""},
		{"another version", "Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", "", ""},
		{"a short root", "Root=1-5759e988-bd862e3fe1be46a9942727;Parent=53995c3f42cd8ad8;Sampled=1", "", ""},
		{"a long root", "Root=1-5759e988-bd862e3fe1be46a99427279300;Parent=53995c3f42cd8ad8;Sampled=1", "", ""},
		{"a long parent", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8ff;Sampled=1", "", ""},
		{"not hex", "Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=53995c3f42cd8ad8;Sampled=1", "", ""},
		{"an all-zero trace", "Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8;Sampled=1", "", ""},
		{"none", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tracing.ContinueXRay(context.Background(), tt.header)
			sc := trace.SpanContextFromContext(ctx)
			if tt.wantTrace == "" {
				if sc.IsValid() {
					t.Fatalf("continued %v", sc)
				}
				return
			}
			if sc.TraceID().String() != tt.wantTrace || sc.SpanID().String() != tt.wantSpan || !sc.IsSampled() || !sc.IsRemote() {
				t.Errorf("parent %s/%s sampled %v remote %v, want %s/%s, sampled and remote",
					sc.TraceID(), sc.SpanID(), sc.IsSampled(), sc.IsRemote(), tt.wantTrace, tt.wantSpan)
			}
		})
	}
}
