package httpserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"example.com/modmono/platform/validate"
)

// nullDetail is why a member sent as null is refused: no request schema
// of this API is nullable, and a null that decoding took for "absent"
// would pass a required check, or stand for a default the client did not
// ask for.
const nullDetail = "must not be null: leave an optional member out instead"

// checkMembers records, in one walk of body (a JSON document that
// decoded), every member sent as null and every string or member name
// holding U+0000, naming each as the validate package names fields:
// "shipping_address", "items[0].unit_price_cents".
func checkMembers(v *validate.Validator, body []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // any number: only nulls and strings are of interest
	var doc any
	if dec.Decode(&doc) != nil {
		return // decoding into the request type succeeded; cannot happen
	}
	walkMembers(v, doc, "")
}

func walkMembers(v *validate.Validator, val any, field string) {
	switch val := val.(type) {
	case nil:
		v.Add(field, nullDetail)
	case string:
		v.Check(!strings.ContainsRune(val, 0), field, nulDetail)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(val)) { // a stable answer, whatever the map's order
			v.Check(!strings.ContainsRune(k, 0), field, "must not have a member name holding the NUL character (U+0000)")
			walkMembers(v, val[k], join(field, k))
		}
	case []any:
		for i, e := range val {
			walkMembers(v, e, fmt.Sprintf("%s[%d]", field, i))
		}
	}
}
