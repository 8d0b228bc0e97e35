// Package cursor encodes keyset-pagination positions as opaque strings, so
// clients cannot depend on (or forge meaningful) internals.
package cursor

import (
	"encoding/base64"
	"strconv"
	"strings"

	"example.com/modmono/platform/apperror"
)

const prefix = "v1:"

// Encode returns the cursor for the position after seq.
func Encode(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + strconv.FormatInt(seq, 10)))
}

// Decode returns the position in c, or an Invalid error naming field "cursor".
func Decode(c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(raw), prefix); ok {
			if seq, err := strconv.ParseInt(s, 10, 64); err == nil && seq > 0 {
				return seq, nil
			}
		}
	}
	return 0, apperror.InvalidFields(apperror.FieldError{Field: "cursor", Detail: "is not a cursor this API returned"})
}
