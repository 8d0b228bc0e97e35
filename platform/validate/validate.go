// Package validate checks request fields and collects the failures, so a
// caller learns what is wrong with a request at once (the first MaxErrors
// listed, the rest counted).
package validate

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"example.com/modmono/platform/apperror"
)

// MaxErrors is how many field errors a Validator lists. The rest are only
// counted, so a body built to fail everywhere cannot buy a response many
// times its size.
const MaxErrors = 20

// Validator collects field errors. The zero value is ready to use.
type Validator struct {
	fields []apperror.FieldError
	more   int // errors past MaxErrors
}

// Add records that field is invalid for reason detail.
func (v *Validator) Add(field, detail string) {
	if len(v.fields) == MaxErrors {
		v.more++
		return
	}
	v.fields = append(v.fields, apperror.FieldError{Field: field, Detail: detail})
}

// Check records detail for field unless ok.
func (v *Validator) Check(ok bool, field, detail string) {
	if !ok {
		v.Add(field, detail)
	}
}

// Err returns an Invalid error listing the recorded fields, or nil. Past
// MaxErrors its detail says how many more there were.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	err := apperror.InvalidFields(v.fields...)
	if v.more > 0 {
		err.Detail = fmt.Sprintf("The request has invalid fields: the first %d are listed, and %d more.", MaxErrors, v.more)
	}
	return err
}

func (v *Validator) count() int { return len(v.fields) + v.more }

// Text trims *s in place and checks it has between min and max characters
// and no control (Cc) or format (Cf) characters: no NUL or escape codes,
// no zero-width spaces or joiners, no bidi overrides that would make the
// text display other than it reads. Letters, marks and punctuation of any
// script are fine. min 0 makes the field optional.
func (v *Validator) Text(field string, s *string, min, max int) {
	*s = strings.TrimSpace(*s)
	n := utf8.RuneCountInString(*s)
	switch {
	case !utf8.ValidString(*s):
		v.Add(field, "must be valid UTF-8")
	case n == 0 && min > 0:
		v.Add(field, "is required")
	case n < min:
		v.Add(field, "is too short")
	case n > max:
		v.Add(field, "is too long")
	case strings.ContainsFunc(*s, invisible):
		v.Add(field, "must not contain control or invisible formatting characters (such as U+0000, U+200B or U+202E)")
	}
}

// Email trims *s and replaces it with its canonical form (see
// CanonicalEmail), or records why it is not an e-mail address.
func (v *Validator) Email(field string, s *string) {
	before := v.count()
	v.Text(field, s, 1, 254)
	if v.count() > before {
		return
	}
	canonical, err := CanonicalEmail(*s)
	if err != nil {
		v.Add(field, err.Error())
		return
	}
	*s = canonical
}

// UUID reports whether s is a UUID in its canonical 36-character form.
func UUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}
