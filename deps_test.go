package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const modulePath = "example.com/modmono"

// TestDependencyRule enforces the import rules (docs/architecture.md, "Layout") on every
// package, tests included:
//
//	platform/ imports no module and not the wiring;
//	a module imports another module only through its events package;
//	an events package imports no module (it is a standalone contract);
//	inside a module, httpapi and store meet only in app;
//	only main imports the wiring;
//	platform/devdash, the development dashboard, imports no other package of this module;
//
// and, on the code of every package but its tests (which open a real
// database), that a module's app holds no transaction (see transactionFree).
func TestDependencyRule(t *testing.T) {
	out, err := exec.Command("go", "list", "-f",
		`{{.ImportPath}} {{join .Imports " "}} | {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], modulePath)
		inTests := false
		for _, imp := range fields[1:] {
			if imp == "|" {
				inTests = true
			}
			if !strings.HasPrefix(imp, modulePath+"/") {
				continue
			}
			imp := strings.TrimPrefix(imp, modulePath)
			why := violation(pkg, imp)
			if why == "" && !inTests {
				why = transactionFree(pkg, imp)
			}
			if why != "" {
				t.Errorf("%s imports %s%s: %s", fields[0], modulePath, imp, why)
			}
		}
	}
}

// storePorts are the packages whose use cases reach their database only
// through a store port, which opens the transactions: they may not import
// sqldb. Every module's app package is one.
var storePorts = []string{
	"/modules/orders/internal/app",
	"/modules/notifications/internal/app",
	"/modules/users/internal/app",
}

// transactionFree says why production code of pkg may not import imp (""
// when it may): a package of storePorts holds no transaction.
func transactionFree(pkg, imp string) string {
	if slices.Contains(storePorts, pkg) && (imp == "/platform/sqldb" || strings.HasPrefix(imp, "/platform/sqldb/")) {
		return "use cases hold no transaction: their store port opens it"
	}
	return ""
}

// violation says why package pkg may not import imp ("" when it may); both
// are paths inside the module, like "/modules/orders/internal/app".
func violation(pkg, imp string) string {
	switch {
	case strings.HasPrefix(imp, "/wiring") && pkg != "" && !strings.HasPrefix(pkg, "/wiring"):
		return "only main may use the wiring"
	case strings.HasPrefix(pkg, "/platform/") && strings.HasPrefix(imp, "/modules/"):
		return "platform never imports modules"
	case pkg == "/platform/devdash" && imp != pkg:
		return "the dashboard is fed through its own interfaces (devdash.Sources): it imports no other package of this module"
	case strings.HasPrefix(pkg, "/modules/"):
		own, impMod := moduleOf(pkg), moduleOf(imp)
		if strings.HasSuffix(pkg, "/events") && impMod != "" && imp != pkg {
			return "an events package is a standalone contract"
		}
		if impMod != "" && impMod != own && imp != "/modules/"+impMod+"/events" {
			return "a module may import another module only through its events package"
		}
		if layer(pkg) == "httpapi" && layer(imp) == "store" || layer(pkg) == "store" && layer(imp) == "httpapi" {
			return "httpapi and store meet only in app"
		}
	}
	return ""
}

// moduleOf returns the module name of a path under /modules/, else "".
func moduleOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/modules/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// layer returns the internal package of a module path ("app", "store",
// "httpapi"), else "".
func layer(path string) string {
	_, rest, ok := strings.Cut(path, "/internal/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func TestDependencyRuleCatchesViolations(t *testing.T) {
	tests := []struct{ pkg, imp string }{
		{"/platform/messaging", "/modules/users/events"},
		{"/modules/orders/internal/app", "/modules/users/internal/store"},
		{"/modules/orders", "/modules/users"},
		{"/modules/notifications/events", "/modules/users/events"},
		{"/modules/users/internal/app", "/wiring"},
		{"/modules/orders/internal/httpapi", "/modules/orders/internal/store"},
		{"/modules/orders/internal/store", "/modules/orders/internal/httpapi"},
		{"/platform/devdash", "/platform/messaging"},
	}
	for _, tc := range tests {
		if violation(tc.pkg, tc.imp) == "" {
			t.Errorf("%s importing %s passes the rule", tc.pkg, tc.imp)
		}
	}
	if transactionFree("/modules/orders/internal/app", "/platform/sqldb") == "" {
		t.Error("orders' app importing sqldb passes the rule")
	}
	if why := transactionFree("/modules/orders/internal/store", "/platform/sqldb"); why != "" {
		t.Errorf("orders' store importing sqldb fails the rule: %s", why)
	}
	allowed := []struct{ pkg, imp string }{
		{"/modules/orders/internal/app", "/modules/users/events"},
		{"/modules/orders/internal/store", "/modules/orders/internal/app"},
		{"/modules/orders/internal/httpapi", "/modules/orders/internal/app"},
		{"/modules/orders", "/platform/messaging"},
		{"", "/wiring"},
		{"/wiring", "/modules/orders"},
	}
	for _, tc := range allowed {
		if why := violation(tc.pkg, tc.imp); why != "" {
			t.Errorf("%s importing %s fails the rule: %s", tc.pkg, tc.imp, why)
		}
	}
}
