package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunRejectsUnknownArguments(t *testing.T) {
	err := run(context.Background(), []string{"dance"}, func(string) string { return "" }, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("err = %v, want a usage error", err)
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	getenv := func(k string) string {
		if k == "PORT" {
			return "99999"
		}
		return ""
	}
	err := run(context.Background(), nil, getenv, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("err = %v, want one naming PORT", err)
	}
}

func TestRunEventsListsThePoisonQueues(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"DATA_DIR": dir, "JWT_SECRET": "main-test-secret-main-test-secret-0001", "LOG_LEVEL": "warn"}[k]
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"events", "list"}, getenv, &out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"users", "orders", "notifications"} {
		if !strings.Contains(out.String(), m+": 0 poisoned") {
			t.Errorf("the list does not show %s:\n%s", m, out.String())
		}
	}
	err := run(context.Background(), []string{"events"}, getenv, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "usage: modmono events") {
		t.Fatalf("events alone: %v, want its usage", err)
	}
}
