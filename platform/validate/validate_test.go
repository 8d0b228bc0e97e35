package validate_test

import (
	"errors"
	"strings"
	"testing"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/validate"
)

func TestErrorsPastTheMaximumAreCountedNotListed(t *testing.T) {
	var v validate.Validator
	for range 500 {
		v.Add("f", "is wrong")
	}
	var e *apperror.Error
	if !errors.As(v.Err(), &e) {
		t.Fatalf("Err() = %v, want an *apperror.Error", v.Err())
	}
	if len(e.Fields) != validate.MaxErrors {
		t.Errorf("%d fields listed, want %d", len(e.Fields), validate.MaxErrors)
	}
	if !strings.Contains(e.Detail, "480 more") {
		t.Errorf("detail %q does not say 480 more", e.Detail)
	}
}

func TestAnEmailPastTheMaximumIsStillCheckedOnce(t *testing.T) {
	var v validate.Validator
	for range validate.MaxErrors {
		v.Add("f", "is wrong")
	}
	email := ""
	v.Email("email", &email)
	var e *apperror.Error
	errors.As(v.Err(), &e)
	if !strings.Contains(e.Detail, "and 1 more") {
		t.Errorf("detail %q, want 1 more (a missing e-mail is one error)", e.Detail)
	}
}
