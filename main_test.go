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
