package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/wiring"
)

const cfnTemplate = ".serverless/cloudformation-template-update-stack.json"

type cfnResource struct {
	Type       string          `json:"Type"`
	Properties json.RawMessage `json:"Properties"`
}

// loadTemplate reads the CloudFormation `make sls-package` generates from
// serverless.yml. CI always generates it first; elsewhere the test is
// skipped until it is there.
func loadTemplate(t *testing.T) map[string]cfnResource {
	raw, err := os.ReadFile(cfnTemplate)
	if errors.Is(err, fs.ErrNotExist) && os.Getenv("CI") == "" {
		t.Skip("no " + cfnTemplate + ": run `make sls-package` first (CI does)")
	}
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]cfnResource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	for id, r := range tpl.Resources { // compact, so tests can look for fragments
		var b bytes.Buffer
		if err := json.Compact(&b, r.Properties); err == nil {
			r.Properties = b.Bytes()
			tpl.Resources[id] = r
		}
	}
	return tpl.Resources
}

// logicalID is the name Serverless gives a function's resource.
func logicalID(function string) string {
	name := strings.ReplaceAll(function, "-", "Dash")
	return strings.ToUpper(name[:1]) + name[1:] + "LambdaFunction"
}

func props[T any](t *testing.T, r cfnResource) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.Properties, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// moduleFunctions wires each module alone, as its functions do, to read its
// routes and the events it consumes from the code itself.
func moduleFunctions(t *testing.T) map[string]*wiring.Function {
	out := map[string]*wiring.Function{}
	for _, m := range wiring.Modules {
		env := map[string]string{"DATA_DIR": t.TempDir(), "APP_MODE": "lambda", "APP_MODULE": m,
			"JWT_SECRET": "serverless-test-secret-serverless-test-00"}
		cfg, err := wiring.LoadConfig(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		f, cleanup, err := wiring.InitializeFunction(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), wiring.ModuleName(m))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		out[m] = f
	}
	return out
}

func TestServerlessDeploysEveryModule(t *testing.T) {
	res := loadTemplate(t)
	functions := moduleFunctions(t)

	for _, m := range wiring.Modules {
		f := functions[m]
		t.Run(m+" HTTP function serves every route of the module", func(t *testing.T) {
			fn, ok := res[logicalID(m+"-http")]
			if !ok || fn.Type != "AWS::Lambda::Function" {
				t.Fatalf("no %s-http function", m)
			}
			checkFunction(t, fn, m)
			integration := "HttpApiIntegration" + strings.TrimSuffix(logicalID(m+"-http"), "LambdaFunction")
			mapped := map[string]bool{}
			for _, r := range res {
				if r.Type != "AWS::ApiGatewayV2::Route" {
					continue
				}
				route := props[struct {
					RouteKey string
					Target   json.RawMessage
				}](t, r)
				if strings.Contains(string(route.Target), `"`+integration+`"`) {
					mapped[route.RouteKey] = true
				}
			}
			for _, r := range f.Echo.Routes() {
				if !strings.HasPrefix(r.Path, "/v1/") || r.Method == echo.RouteNotFound {
					continue // health checks are for servers; RouteNotFound entries are Echo's group 404s
				}
				key := r.Method + " " + echoToAPIGatewayPath(r.Path)
				if !mapped[key] {
					t.Errorf("route %s of %s is not mapped to its function (mapped: %v)", key, m, mapped)
				}
				delete(mapped, key)
			}
			for extra := range mapped {
				t.Errorf("%s is mapped to %s, which has no such route", extra, m)
			}
		})
		if f.Processor != nil {
			t.Run(m+" events function takes its queue with partial batch failures", func(t *testing.T) {
				checkFunction(t, res[logicalID(m+"-events")], m)
				found := false
				for _, r := range res {
					if r.Type != "AWS::Lambda::EventSourceMapping" {
						continue
					}
					esm := props[struct {
						FunctionName          json.RawMessage
						FunctionResponseTypes []string
					}](t, r)
					if strings.Contains(string(esm.FunctionName), logicalID(m+"-events")) {
						found = slices.Contains(esm.FunctionResponseTypes, "ReportBatchItemFailures")
					}
				}
				if !found {
					t.Error("no SQS event source mapping reporting batch item failures")
				}
				sub := props[struct {
					FilterPolicy struct {
						EventType []string `json:"event_type"`
					}
					RawMessageDelivery bool
				}](t, res[strings.ToUpper(m[:1])+m[1:]+"EventsSubscription"])
				want := f.Processor.Topics()
				got := slices.Sorted(slices.Values(sub.FilterPolicy.EventType))
				if !slices.Equal(got, want) || !sub.RawMessageDelivery {
					t.Errorf("the queue subscribes to %v (raw %v), the module consumes %v", got, sub.RawMessageDelivery, want)
				}
			})
		}
	}
	for _, m := range []string{"users", "orders"} {
		t.Run(m+" relay runs on a schedule and publishes to the topic", func(t *testing.T) {
			fn := res[logicalID(m+"-relay")]
			checkFunction(t, fn, m)
			if !strings.Contains(string(fn.Properties), `"EVENTS_TOPIC_ARN":{"Ref":"EventsTopic"}`) {
				t.Errorf("relay environment: %s", fn.Properties)
			}
			rule, ok := res[strings.TrimSuffix(logicalID(m+"-relay"), "LambdaFunction")+"EventsRuleSchedule1"]
			if !ok || !strings.Contains(string(rule.Properties), "ScheduleExpression") {
				t.Error("no schedule rule")
			}
		})
	}
	t.Run("relays may publish to the events topic and nowhere else; no wildcard resources", func(t *testing.T) {
		role := string(res["IamRoleLambdaExecution"].Properties)
		if !strings.Contains(role, `"Action":["sns:Publish"],"Resource":{"Ref":"EventsTopic"}`) || strings.Contains(role, `"Resource":"*"`) {
			t.Errorf("role statements: %s", role)
		}
	})
}

func checkFunction(t *testing.T, fn cfnResource, module string) {
	t.Helper()
	p := props[struct {
		Runtime     string
		Handler     string
		Environment struct{ Variables map[string]json.RawMessage }
	}](t, fn)
	vars := p.Environment.Variables
	if p.Runtime != "provided.al2023" || p.Handler != "bootstrap" || string(vars["APP_MODULE"]) != `"`+module+`"` ||
		string(vars["APP_MODE"]) != `"lambda"` || !strings.Contains(string(vars["JWT_SECRET"]), "resolve:secretsmanager") ||
		!strings.Contains(string(vars["DATABASE_URL"]), "/"+module+"-database-url}}") {
		t.Errorf("function of %s: runtime %q, handler %q, environment %v", module, p.Runtime, p.Handler, vars)
	}
}

// echoToAPIGatewayPath turns /v1/orders/:id into /v1/orders/{id}.
func echoToAPIGatewayPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}
