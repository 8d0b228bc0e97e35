package httpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/validate"
)

// Bind decodes the request's JSON body into dst strictly: the body must be
// one JSON object of dst's shape, with no unknown fields, no trailing data,
// no null anywhere (an optional member is left out, never sent as null:
// encoding/json would take null as "absent" or as zero, which the
// documents do not allow) and no string holding U+0000 ("\u0000"), which
// every endpoint refuses here, before any of it reaches a database. Every
// failure is an *apperror.Error that names what is wrong.
func Bind(c echo.Context, dst any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return apperror.New(apperror.UnsupportedMediaType, "The body must be JSON, sent as Content-Type: application/json.")
	}
	body, err := io.ReadAll(c.Request().Body) // within the body limit
	if err != nil {
		return decodeError(err)
	}
	if err := decode(body, dst); err != nil {
		return err
	}
	if string(bytes.TrimSpace(body)) == "null" {
		return apperror.New(apperror.Invalid, "The body must be a JSON object.")
	}
	var v validate.Validator
	checkMembers(&v, body)
	return v.Err()
}

// decode is json.Unmarshal, refusing unknown fields and trailing data.
func decode(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return decodeError(err)
		}
		return apperror.New(apperror.Invalid, "The body must hold a single JSON object and nothing after it.")
	}
	return nil
}

func tooLarge(err error) bool {
	var httpErr *echo.HTTPError
	return errors.As(err, &httpErr) && httpErr.Code == 413
}

func decodeError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case tooLarge(err):
		return apperror.New(apperror.TooLarge, "The request body is larger than the server accepts.")
	case errors.Is(err, io.EOF):
		return apperror.New(apperror.Invalid, "The body is empty; a JSON object is required.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperror.New(apperror.Invalid, "The body ends in the middle of the JSON.")
	case errors.As(err, &syntaxErr):
		return apperror.New(apperror.Invalid, "The body is not valid JSON (error at byte %d).", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return apperror.New(apperror.Invalid, "The body must be a JSON object.")
		}
		return apperror.InvalidFields(apperror.FieldError{Field: typeErr.Field, Detail: fmt.Sprintf("must be %s", jsonKind(typeErr.Type.Kind().String()))})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperror.InvalidFields(apperror.FieldError{Field: field, Detail: "is not a known field"})
	}
	return apperror.New(apperror.Invalid, "The body could not be read as JSON.")
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "an integer"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "a boolean"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// Query parses the request's query string strictly: where net/url would
// silently drop a malformed pair, this is an Invalid error, and so is a
// parameter holding U+0000 ("%00").
func Query(c echo.Context) (url.Values, error) {
	q, err := url.ParseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, apperror.New(apperror.Invalid, "The query string is malformed: %v.", err)
	}
	var v validate.Validator
	queryNUL(&v, q)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return q, nil
}
