// Package apperror gives errors a kind that says how a caller should read
// them. The HTTP layer maps kinds to statuses in one place; code that returns
// an *Error never thinks about HTTP.
package apperror

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the caller.
type Kind int

// The kinds. The zero Kind is Internal: an unclassified error is a bug.
const (
	Internal      Kind = iota
	Invalid            // the request is malformed or fails validation
	Unauthorized       // no valid credentials
	Forbidden          // credentials valid, action not allowed
	NotFound           // no such resource, or not the caller's
	Conflict           // the resource's state forbids the change
	Unprocessable      // well-formed, but cannot be done as asked
	TooLarge           // the request body is over the limit
	UnsupportedMediaType
	TooManyRequests // the client is over its rate limit
	HeadersTooLarge // the request's headers are over the limit
	Busy            // the server is at a capacity limit; retry shortly
)

// FieldError names one invalid field of a request.
type FieldError struct {
	// Field is the JSON path of the field, e.g. "items[2].quantity".
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Error is an error with a kind, a message fit for the caller, and for
// validation failures the fields at fault.
type Error struct {
	Kind   Kind
	Detail string
	Fields []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Detail
	}
	return fmt.Sprintf("%s: %v", e.Detail, e.Fields)
}

// New returns an *Error of kind with a formatted detail.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Detail: fmt.Sprintf(format, args...)}
}

// InvalidFields returns an Invalid error listing fields.
func InvalidFields(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Detail: "The request has invalid fields.", Fields: fields}
}

// KindOf returns the kind of the first *Error in err's chain: Internal for
// any other error, and for nil.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
