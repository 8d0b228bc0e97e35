package httpserver

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerScope names the instrumentation of the HTTP server spans.
const tracerScope = "example.com/modmono/platform/httpserver"

// traced puts each request but the probes in an OpenTelemetry server span,
// continuing the caller's trace when its traceparent header carries one.
// The span follows the stable HTTP semantic conventions: named
// "<method> <route>", with http.request.method, http.route, url.path,
// url.scheme, network.protocol.version, user_agent.original and
// http.response.status_code; a 5xx answer sets its status to Error.
func traced() echo.MiddlewareFunc {
	tracer := otel.Tracer(tracerScope)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if isOperational(c) {
				return next(c)
			}
			req := c.Request()
			saved := req.Context()
			defer c.SetRequest(req.WithContext(saved))

			method, name := spanMethod(req.Method)
			route := c.Path()
			attrs := []attribute.KeyValue{method, semconv.URLPath(req.URL.Path), semconv.URLScheme(c.Scheme()),
				semconv.NetworkProtocolVersion(strconv.Itoa(req.ProtoMajor) + "." + strconv.Itoa(req.ProtoMinor))}
			if route != "" {
				attrs = append(attrs, semconv.HTTPRoute(route))
				name += " " + route
			}
			if ua := req.UserAgent(); ua != "" {
				attrs = append(attrs, semconv.UserAgentOriginal(ua))
			}
			ctx := otel.GetTextMapPropagator().Extract(saved, propagation.HeaderCarrier(req.Header))
			ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
			defer span.End()
			c.SetRequest(req.WithContext(ctx))

			err := next(c)
			if err != nil {
				c.Error(err) // the error handler writes the answer, whose status the span records
			}
			status := c.Response().Status
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= 500 {
				span.SetStatus(codes.Error, http.StatusText(status))
			}
			return err
		}
	}
}

// spanMethod is the http.request.method of method, and the span name's
// method: a standard method as it is (methods are case-sensitive), anything else "_OTHER" and "HTTP", so
// that a client's made-up methods are not recorded.
func spanMethod(method string) (attribute.KeyValue, string) {
	switch m := method; m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return semconv.HTTPRequestMethodKey.String(m), m
	}
	return semconv.HTTPRequestMethodOther, "HTTP"
}
