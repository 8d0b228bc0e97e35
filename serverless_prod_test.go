package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The parts of serverless.yml for production (docs/deploy-aws.md, "In
// production"), as `make sls-package` generates them with their defaults.

func TestServerlessThrottlesTheHTTPAPI(t *testing.T) {
	res := loadTemplate(t)
	type limits struct{ ThrottlingRateLimit, ThrottlingBurstLimit float64 }
	stage := props[struct {
		DefaultRouteSettings limits
		RouteSettings        map[string]limits
	}](t, res["HttpApiStage"])
	if d := stage.DefaultRouteSettings; d.ThrottlingRateLimit <= 0 || d.ThrottlingBurstLimit <= 0 {
		t.Errorf("the stage is not throttled: %+v", d)
	}
	routes := map[string]string{} // route key → logical id
	for id, r := range res {
		if r.Type == "AWS::ApiGatewayV2::Route" {
			routes[props[struct{ RouteKey string }](t, r).RouteKey] = id
		}
	}
	var dependsOn []string
	_ = json.Unmarshal(res["HttpApiStage"].DependsOn, &dependsOn)
	for _, key := range []string{"POST /v1/users", "POST /v1/auth/token"} {
		l, ok := stage.RouteSettings[key]
		if !ok || l.ThrottlingRateLimit <= 0 || l.ThrottlingRateLimit >= stage.DefaultRouteSettings.ThrottlingRateLimit ||
			l.ThrottlingBurstLimit <= 0 || l.ThrottlingBurstLimit >= stage.DefaultRouteSettings.ThrottlingBurstLimit {
			t.Errorf("%s, which hashes a password, is throttled at %+v; want below the stage's %+v", key, l, stage.DefaultRouteSettings)
		}
		// A stage whose route settings name a route not made yet fails to deploy.
		if id, ok := routes[key]; !ok || !slices.Contains(dependsOn, id) {
			t.Errorf("%s: route %q, and the stage depends on %v", key, id, dependsOn)
		}
	}
	for key := range stage.RouteSettings {
		if _, ok := routes[key]; !ok {
			t.Errorf("route settings for %s, which is no route", key)
		}
	}
}

func TestServerlessShiftsHTTPTrafficWithCodeDeployAndRollsBackOnAlarms(t *testing.T) {
	res := loadTemplate(t)
	for _, fn := range deployedFunctions(moduleFunctions(t)) {
		fnID := logicalID(fn.name)
		alias := strings.TrimSuffix(fnID, "LambdaFunction") + "ProvConcLambdaAlias"
		if fn.kind != "http" {
			if _, ok := res[alias]; ok {
				t.Errorf("%s has an alias: only the -http functions are shifted", fn.name)
			}
			continue
		}
		t.Run(fn.name, func(t *testing.T) {
			a, ok := res[alias]
			if !ok || a.Type != "AWS::Lambda::Alias" {
				t.Fatalf("no alias %s", alias)
			}
			ap := props[struct {
				Name                         string
				FunctionName                 map[string]string
				ProvisionedConcurrencyConfig map[string]json.RawMessage
			}](t, a)
			if ap.FunctionName["Ref"] != fnID {
				t.Errorf("alias of %v", ap.FunctionName)
			}
			// API Gateway invokes the alias, never $LATEST.
			target := `{"Fn::Join":[":",[{"Fn::GetAtt":["` + fnID + `","Arn"]},"` + ap.Name + `"]]}`
			integration := "HttpApiIntegration" + strings.TrimSuffix(fnID, "LambdaFunction")
			for _, id := range []string{integration, strings.TrimSuffix(fnID, "LambdaFunction") + "LambdaPermissionHttpApi"} {
				if !strings.Contains(string(res[id].Properties), target) {
					t.Errorf("%s does not target the alias %s: %s", id, ap.Name, res[id].Properties)
				}
			}
			// Warm capacity is a parameter, off by default.
			var warm struct {
				If []json.RawMessage `json:"Fn::If"`
			}
			if err := json.Unmarshal(ap.ProvisionedConcurrencyConfig["Fn::If"], &warm.If); err != nil || len(warm.If) != 3 ||
				string(warm.If[2]) != `{"Ref":"AWS::NoValue"}` {
				t.Errorf("provisioned concurrency %s: want Fn::If on a condition, none by default", ap.ProvisionedConcurrencyConfig)
			}

			var policy struct {
				CodeDeployLambdaAliasUpdate struct {
					ApplicationName, DeploymentGroupName struct{ Ref string }
				}
			}
			if err := json.Unmarshal(a.UpdatePolicy, &policy); err != nil {
				t.Fatalf("alias update policy %s: %v", a.UpdatePolicy, err)
			}
			u := policy.CodeDeployLambdaAliasUpdate
			if res[u.ApplicationName.Ref].Type != "AWS::CodeDeploy::Application" {
				t.Errorf("CodeDeploy application %q", u.ApplicationName.Ref)
			}
			group, ok := res[u.DeploymentGroupName.Ref]
			if !ok || group.Type != "AWS::CodeDeploy::DeploymentGroup" {
				t.Fatalf("no deployment group %q", u.DeploymentGroupName.Ref)
			}
			g := props[struct {
				DeploymentConfigName      string
				AutoRollbackConfiguration struct {
					Enabled bool
					Events  []string
				}
				AlarmConfiguration struct {
					Enabled bool
					Alarms  []struct{ Name struct{ Ref string } }
				}
			}](t, group)
			if !strings.HasPrefix(g.DeploymentConfigName, "CodeDeployDefault.Lambda") ||
				!g.AutoRollbackConfiguration.Enabled || !slices.Contains(g.AutoRollbackConfiguration.Events, "DEPLOYMENT_STOP_ON_ALARM") ||
				!g.AlarmConfiguration.Enabled {
				t.Errorf("deployment group %s", group.Properties)
			}
			var alarms []string
			for _, al := range g.AlarmConfiguration.Alarms {
				alarms = append(alarms, al.Name.Ref)
				if res[al.Name.Ref].Type != "AWS::CloudWatch::Alarm" {
					t.Errorf("alarm %q is not an alarm of the stack", al.Name.Ref)
				}
			}
			if !slices.Contains(alarms, "HttpApi5xxAlarm") {
				t.Errorf("alarms %v: none on the API's 5xx share", alarms)
			}
			own := false
			for _, id := range alarms {
				p := string(res[id].Properties)
				own = own || strings.Contains(p, `"MetricName":"Errors"`) && strings.Contains(p, `{"Name":"FunctionName","Value":{"Ref":"`+fnID+`"}}`)
			}
			if !own {
				t.Errorf("alarms %v: none on the function's own errors", alarms)
			}
		})
	}
	api := string(res["HttpApi5xxAlarm"].Properties)
	for _, want := range []string{`"MetricName":"5xx"`, `"MetricName":"Count"`, `{"Name":"ApiId","Value":{"Ref":"HttpApi"}}`} {
		if !strings.Contains(api, want) {
			t.Errorf("the 5xx alarm has no %s: %s", want, api)
		}
	}
}

func TestServerlessTracesEveryFunctionToXRay(t *testing.T) {
	res := loadTemplate(t)
	xray := res["XRayWritePolicy"]
	if xray.Type != "AWS::IAM::Policy" || xray.Condition == "" {
		t.Fatalf("X-Ray policy %+v: want one, on the condition that something sends to X-Ray", xray)
	}
	grant := props[struct {
		Roles          []struct{ Ref string }
		PolicyDocument struct {
			Statement []struct {
				Effect   string
				Action   []string
				Resource string
			}
		}
	}](t, xray)
	if st := grant.PolicyDocument.Statement; len(st) != 1 || st[0].Effect != "Allow" ||
		!slices.Equal(st[0].Action, []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}) {
		t.Errorf("the X-Ray policy allows %+v; want only sending segments", st)
	}
	var roles []string
	for _, r := range grant.Roles {
		roles = append(roles, r.Ref)
	}
	for _, fn := range deployedFunctions(moduleFunctions(t)) {
		p := props[struct {
			TracingConfig struct{ Mode string }
			Environment   struct{ Variables map[string]json.RawMessage }
			Layers        []json.RawMessage
		}](t, res[logicalID(fn.name)])
		if p.TracingConfig.Mode != "Active" {
			t.Errorf("%s: X-Ray tracing %q", fn.name, p.TracingConfig.Mode)
		}
		if !slices.Contains(roles, functionRole(t, res, fn.name)) {
			t.Errorf("%s may not send to X-Ray (roles %v)", fn.name, roles)
		}
		// The collector layer and the endpoint that turns export on go together.
		endpoint := string(p.Environment.Variables["OTEL_EXPORTER_OTLP_ENDPOINT"])
		if endpoint != `{"Fn::If":["OtelCollector","http://localhost:4318",{"Ref":"AWS::NoValue"}]}` ||
			len(p.Layers) != 1 || !strings.HasPrefix(string(p.Layers[0]), `{"Fn::If":["OtelCollector",`) {
			t.Errorf("%s: OTLP endpoint %s, layers %s; want both on the OtelCollector condition", fn.name, endpoint, p.Layers)
		}
	}
}
