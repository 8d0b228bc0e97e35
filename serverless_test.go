package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/wiring"
)

const cfnTemplate = ".serverless/cloudformation-template-update-stack.json"

type cfnResource struct {
	Type         string          `json:"Type"`
	Properties   json.RawMessage `json:"Properties"`
	UpdatePolicy json.RawMessage `json:"UpdatePolicy"`
	DependsOn    json.RawMessage `json:"DependsOn"`
	Condition    string          `json:"Condition"`
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
			"JWT_SECRET": "serverless-test-secret-serverless-test-00", "EVENT_SIGNING_KEYS": messagingtest.KeysFor(wiring.Modules...)}
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

// producers are the modules that write events, and so have a relay.
var producers = map[string]bool{"users": true, "orders": true}

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
	for _, m := range slices.Sorted(maps.Keys(producers)) {
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
	t.Run("each function has a role of its own, allowed only what it does", func(t *testing.T) {
		if _, ok := res["IamRoleLambdaExecution"]; ok {
			t.Error("a role shared by every function is still generated")
		}
		roles := map[string]string{}
		for _, fn := range deployedFunctions(functions) {
			role := functionRole(t, res, fn.name)
			if other, taken := roles[role]; taken {
				t.Fatalf("%s and %s share the role %s", fn.name, other, role)
			}
			roles[role] = fn.name
			jwt := string(props[struct {
				Environment struct{ Variables map[string]json.RawMessage }
			}](t, res[logicalID(fn.name)]).Environment.Variables["JWT_SECRET_SSM_PARAMETER"])
			if wantJWT := fn.kind == "http"; wantJWT != (jwt == `"/modmono/ci/jwt-secret"`) || !wantJWT && jwt != "" {
				t.Errorf("%s: JWT_SECRET_SSM_PARAMETER=%s; only the -http functions verify tokens", fn.name, jwt)
			}
			grants := roleGrants(t, res[role])
			params := fmt.Sprintf(`{"Fn::Sub":"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/modmono/ci/%s/*"}`, fn.module)
			want := map[string][]string{
				"logs:CreateLogStream": {fmt.Sprintf(`{"Fn::GetAtt":["%sLogGroup","Arn"]}`, strings.TrimSuffix(logicalID(fn.name), "LambdaFunction"))},
				"ssm:GetParameter":     {params},
			}
			want["logs:PutLogEvents"] = want["logs:CreateLogStream"]
			// A module that writes events publishes them from every one of
			// its functions: right after a commit, and on the relay's schedule.
			if producers[fn.module] {
				want["sns:Publish"] = []string{`{"Ref":"EventsTopic"}`}
				if !strings.Contains(string(res[logicalID(fn.name)].Properties), `"EVENTS_TOPIC_ARN":{"Ref":"EventsTopic"}`) {
					t.Errorf("%s has no EVENTS_TOPIC_ARN to publish what it commits", fn.name)
				}
			}
			switch fn.kind {
			case "http":
				want["ssm:GetParameter"] = append(want["ssm:GetParameter"],
					`{"Fn::Sub":"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/modmono/ci/jwt-secret"}`)
			case "events":
				queue := fmt.Sprintf(`{"Fn::GetAtt":["%sEventsQueue","Arn"]}`, strings.ToUpper(fn.module[:1])+fn.module[1:])
				for _, a := range []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} {
					want[a] = []string{queue}
				}
			}
			for action, resources := range want {
				slices.Sort(resources)
				if got := slices.Sorted(slices.Values(grants[action])); !slices.Equal(got, resources) {
					t.Errorf("%s may %s on %v, want %v", fn.name, action, got, resources)
				}
				delete(grants, action)
			}
			for action, resources := range grants {
				t.Errorf("%s may also %s on %v", fn.name, action, resources)
			}
		}
	})
}

// deployedFunction is one function serverless.yml deploys.
type deployedFunction struct{ name, module, kind string }

// deployedFunctions lists the functions each module has: an HTTP one, an
// events one when it consumes events, a relay when it produces them.
func deployedFunctions(functions map[string]*wiring.Function) []deployedFunction {
	var out []deployedFunction
	for _, m := range wiring.Modules {
		kinds := []string{"http"}
		if functions[m].Processor != nil {
			kinds = append(kinds, "events")
		}
		if m != "notifications" {
			kinds = append(kinds, "relay")
		}
		for _, k := range kinds {
			out = append(out, deployedFunction{name: m + "-" + k, module: m, kind: k})
		}
	}
	return out
}

// functionRole is the logical id of the role a function runs as.
func functionRole(t *testing.T, res map[string]cfnResource, function string) string {
	t.Helper()
	p := props[struct {
		Role struct {
			GetAtt []string `json:"Fn::GetAtt"`
		}
	}](t, res[logicalID(function)])
	if len(p.Role.GetAtt) != 2 || res[p.Role.GetAtt[0]].Type != "AWS::IAM::Role" {
		t.Fatalf("%s runs as %v, not a role of the stack", function, p.Role.GetAtt)
	}
	return p.Role.GetAtt[0]
}

// roleGrants is what a role's policies allow: each action's resources, as
// compact JSON. Managed policies, Deny and conditions would escape it, so
// they fail the test.
func roleGrants(t *testing.T, role cfnResource) map[string][]string {
	t.Helper()
	type statement struct {
		Effect    string
		Action    json.RawMessage
		Resource  json.RawMessage
		Condition json.RawMessage
	}
	p := props[struct {
		ManagedPolicyArns []json.RawMessage
		Policies          []struct {
			PolicyDocument struct{ Statement []statement }
		}
	}](t, role)
	if len(p.ManagedPolicyArns) > 0 {
		t.Errorf("managed policies %s", p.ManagedPolicyArns)
	}
	grants := map[string][]string{}
	for _, pol := range p.Policies {
		for _, st := range pol.PolicyDocument.Statement {
			if st.Effect != "Allow" || st.Condition != nil {
				t.Errorf("statement %+v", st)
			}
			for _, a := range oneOrMany(t, st.Action) {
				action := strings.Trim(a, `"`)
				grants[action] = append(grants[action], oneOrMany(t, st.Resource)...)
			}
		}
	}
	return grants
}

// oneOrMany reads a policy field that holds one value or a list of them.
func oneOrMany(t *testing.T, raw json.RawMessage) []string {
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) != nil {
		many = []json.RawMessage{raw}
	}
	out := make([]string, len(many))
	for i, v := range many {
		out[i] = string(v)
	}
	return out
}

// checkFunction checks a function's runtime and environment: its module,
// and the names of its module's parameters, never a secret.
func checkFunction(t *testing.T, fn cfnResource, module string) {
	t.Helper()
	p := props[struct {
		Runtime     string
		Handler     string
		Environment struct{ Variables map[string]json.RawMessage }
	}](t, fn)
	vars := p.Environment.Variables
	if p.Runtime != "provided.al2023" || p.Handler != "bootstrap" || string(vars["APP_MODULE"]) != `"`+module+`"` ||
		string(vars["APP_MODE"]) != `"lambda"` ||
		string(vars["DATABASE_URL_SSM_PARAMETER"]) != `"/modmono/ci/`+module+`/database-url"` ||
		string(vars["EVENT_SIGNING_KEYS_SSM_PARAMETER"]) != `"/modmono/ci/`+module+`/event-signing-keys"` {
		t.Errorf("function of %s: runtime %q, handler %q, environment %v", module, p.Runtime, p.Handler, vars)
	}
	for _, name := range wiring.SecretVariables() {
		if _, ok := vars[name]; ok {
			t.Errorf("function of %s has %s in its environment: a secret's value", module, name)
		}
	}
	for name, v := range vars {
		if strings.Contains(string(v), "resolve:") {
			t.Errorf("function of %s: %s resolves a value at deploy time: %s", module, name, v)
		}
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
