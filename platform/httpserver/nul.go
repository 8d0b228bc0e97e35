package httpserver

import (
	"net/url"
	"strings"

	"example.com/modmono/platform/validate"
)

// nulDetail is why a value holding U+0000 is refused: PostgreSQL text
// cannot hold it (the driver's error would be a 500), C libraries end the
// string there, and no field of this API has a use for it.
const nulDetail = "must not contain the NUL character (U+0000)"

func join(prefix, name string) string {
	if prefix == "" || name == "" {
		return prefix + name
	}
	return prefix + "." + name
}

// queryNUL records every query parameter whose name or a value holds
// U+0000.
func queryNUL(v *validate.Validator, q url.Values) {
	for name, values := range q {
		for _, value := range values {
			v.Check(!strings.ContainsRune(name+value, 0), name, nulDetail)
		}
	}
}
