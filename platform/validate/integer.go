package validate

import (
	"encoding/json"
	"math/big"
	"reflect"
	"strconv"
)

// Integer is an int64 that a request may send in any JSON spelling of an
// integer: JSON Schema counts a number with no fractional part as an
// integer, so 1.0 and 1e2 are 1 and 100, while encoding/json refuses
// them for an int64. 1.5, strings and integers past int64 are refused
// with the *json.UnmarshalTypeError an int64 would give, so the decoder
// names the field.
type Integer int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Integer) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil // as for an int64: left as it is
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Integer(i)
		return nil
	}
	f, ok := new(big.Float).SetPrec(200).SetString(s)
	if ok && f.IsInt() {
		if i, acc := f.Int64(); acc == big.Exact {
			*n = Integer(i)
			return nil
		}
	}
	return &json.UnmarshalTypeError{Value: jsonValueKind(b), Type: reflect.TypeFor[int64]()}
}

func jsonValueKind(b []byte) string {
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number " + string(b)
}
