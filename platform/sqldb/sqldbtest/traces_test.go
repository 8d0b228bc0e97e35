package sqldbtest_test

import (
	"encoding/json"
	"strings"
	"testing"

	"example.com/modmono/platform/sqldb/sqldbtest"
)

func TestHoldingFindsASecretAsItIsAndBase64EncodedAtAnyOffset(t *testing.T) {
	const secret = "ada@example.com"
	for prefix := range 4 {
		payload := []byte(`{"email":"` + strings.Repeat("x", prefix) + secret + `"}`)
		enveloped, err := json.Marshal(map[string][]byte{"payload": payload}) // base64, as an outbox row
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range [][]byte{payload, enveloped} {
			if got := sqldbtest.Holding(raw, secret, "nobody@example.com"); len(got) != 1 || got[0] != secret {
				t.Errorf("%s: found %q, want only %q", raw, got, secret)
			}
		}
	}
}
