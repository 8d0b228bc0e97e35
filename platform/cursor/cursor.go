// Package cursor encodes keyset-pagination positions as opaque, signed
// strings: a client can hand back a cursor the API gave it, but cannot
// forge one, alter one, or take one from one list to another.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"

	"example.com/modmono/platform/apperror"
)

// A cursor is version, position (big-endian) and tag, base64url-encoded.
const (
	version = 2 // 1 was unsigned: "v1:<position>"
	posLen  = 8
	tagLen  = 16 // HMAC-SHA256 cut to 128 bits, as RFC 2104 allows
	rawLen  = 1 + posLen + tagLen
)

// Signer makes and checks cursors with a key of its own. Every process
// serving a list must use the same key, so that a cursor made by one
// instance (or before a restart) is good on another.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer keyed with key, which should be 32 random
// bytes that no other use shares (see auth.Tokens.DeriveKey).
func NewSigner(key []byte) *Signer {
	return &Signer{key: key}
}

// Encode returns the cursor for the position after seq in list (any name
// of the list, such as its route: a cursor is good for that list only).
func (s *Signer) Encode(list string, seq int64) string {
	raw := make([]byte, 1+posLen, rawLen)
	raw[0] = version
	binary.BigEndian.PutUint64(raw[1:], uint64(seq))
	return base64.RawURLEncoding.EncodeToString(append(raw, s.tag(list, raw)...))
}

// Decode returns the position in c, a cursor Encode made for list, or an
// Invalid error naming field "cursor".
func (s *Signer) Decode(list, c string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(raw) == rawLen && raw[0] == version &&
		hmac.Equal(raw[1+posLen:], s.tag(list, raw[:1+posLen])) {
		if seq := int64(binary.BigEndian.Uint64(raw[1:])); seq > 0 {
			return seq, nil
		}
	}
	return 0, apperror.InvalidFields(apperror.FieldError{Field: "cursor", Detail: "is not a cursor this API returned for this list"})
}

// tag authenticates a cursor's version and position for list.
func (s *Signer) tag(list string, versionAndPos []byte) []byte {
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(list))
	mac.Write([]byte{0}) // a list name holds no NUL: the boundary is unambiguous
	mac.Write(versionAndPos)
	return mac.Sum(nil)[:tagLen]
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

// ParsePage reads the limit and cursor query values of a request for
// list, either of which may be empty. Bad values are Invalid errors naming
// the parameter.
func (s *Signer) ParsePage(list, limit, cursor string) (Page, error) {
	p := Page{Limit: DefaultLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return p, apperror.InvalidFields(apperror.FieldError{Field: "limit", Detail: "must be a whole number from 1 to 100"})
		}
		p.Limit = n
	}
	if cursor != "" {
		seq, err := s.Decode(list, cursor)
		if err != nil {
			return p, err
		}
		p.Before = seq
	}
	return p, nil
}

// Next returns the cursor of the page of list after one ending at lastSeq,
// or "" when there is none.
func (s *Signer) Next(list string, more bool, lastSeq int64) string {
	if !more {
		return ""
	}
	return s.Encode(list, lastSeq)
}
