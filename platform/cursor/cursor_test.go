package cursor_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/cursor"
)

var signer = cursor.NewSigner([]byte("0123456789abcdef0123456789abcdef"))

func TestACursorDecodesToItsPosition(t *testing.T) {
	for _, seq := range []int64{1, 42, 1 << 40} {
		c := signer.Encode("/v1/orders", seq)
		if got, err := signer.Decode("/v1/orders", c); err != nil || got != seq {
			t.Errorf("Decode(Encode(%d)) = %d, %v", seq, got, err)
		}
	}
}

func TestForgedAndAlteredCursorsAreRefusedNamingTheCursor(t *testing.T) {
	good := signer.Encode("/v1/orders", 42)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	for name, c := range map[string]string{
		"an altered position":           flip(8),
		"an altered tag":                flip(len(raw) - 1),
		"an altered version":            flip(0),
		"a cursor of another key":       cursor.NewSigner([]byte("another key, another key, another")).Encode("/v1/orders", 42),
		"an unsigned cursor of old":     base64.RawURLEncoding.EncodeToString([]byte("v1:42")),
		"a truncated cursor":            good[:len(good)-2],
		"a cursor with a byte appended": base64.RawURLEncoding.EncodeToString(append(raw, 0)),
		"not base64":                    "garbage!",
		"empty":                         "",
	} {
		_, err := signer.Decode("/v1/orders", c)
		var e *apperror.Error
		if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("%s: Decode(%q) = %v, want an error naming cursor", name, c, err)
		}
	}
	if _, err := signer.Decode("/v1/notifications", good); err == nil {
		t.Error("a cursor of the orders list decoded for the notifications list")
	}
}

func TestParsePage(t *testing.T) {
	p, err := signer.ParsePage("/l", "", "")
	if err != nil || p != (cursor.Page{Limit: cursor.DefaultLimit}) {
		t.Errorf("no values: %+v, %v", p, err)
	}
	p, err = signer.ParsePage("/l", "5", signer.Encode("/l", 9))
	if err != nil || p != (cursor.Page{Before: 9, Limit: 5}) {
		t.Errorf("limit 5 after 9: %+v, %v", p, err)
	}
	for _, limit := range []string{"0", "101", "x", "-1"} {
		if _, err := signer.ParsePage("/l", limit, ""); err == nil {
			t.Errorf("limit %q accepted", limit)
		}
	}
	if c := signer.Next("/l", false, 9); c != "" {
		t.Errorf("Next without more = %q", c)
	}
}
