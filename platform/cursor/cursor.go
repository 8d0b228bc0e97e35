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

// Page limits.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Page is a parsed "?limit=&cursor=" pair.
type Page struct {
	// Before is the position the page starts after; 0 for the first page.
	Before int64
	Limit  int
}

// ParsePage reads the limit and cursor query values, either of which may be
// empty. Bad values are Invalid errors naming the parameter.
func ParsePage(limit, cursor string) (Page, error) {
	p := Page{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return p, apperror.InvalidFields(apperror.FieldError{Field: "limit", Detail: "must be a whole number from 1 to 100"})
		}
		p.Limit = n
	}
	if cursor != "" {
		seq, err := Decode(cursor)
		if err != nil {
			return p, err
		}
		p.Before = seq
	}
	return p, nil
}

// Next returns the cursor of the page after one ending at lastSeq, or "" when
// there is none.
func Next(more bool, lastSeq int64) string {
	if !more {
		return ""
	}
	return Encode(lastSeq)
}
