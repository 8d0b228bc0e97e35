package httpserver

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"

	"example.com/modmono/platform/validate"
)

// nulDetail is why a value holding U+0000 is refused: PostgreSQL text
// cannot hold it (the driver's error would be a 500), C libraries end the
// string there, and no field of this API has a use for it.
const nulDetail = "must not contain the NUL character (U+0000)"

// checkNUL records every string in v (a decoded body) that holds U+0000,
// naming it as the validate package names fields: "email",
// "shipping_address.line1", "items[2].sku".
func checkNUL(v *validate.Validator, val reflect.Value, field string) {
	switch val.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !val.IsNil() {
			checkNUL(v, val.Elem(), field)
		}
	case reflect.String:
		v.Check(!strings.ContainsRune(val.String(), 0), field, nulDetail)
	case reflect.Struct:
		t := val.Type()
		for i := range t.NumField() {
			if name, ok := jsonName(t.Field(i)); ok {
				checkNUL(v, val.Field(i), join(field, name))
			}
		}
	case reflect.Slice, reflect.Array:
		if val.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes: base64 or raw JSON, never text with a NUL in it
		}
		for i := range val.Len() {
			checkNUL(v, val.Index(i), fmt.Sprintf("%s[%d]", field, i))
		}
	case reflect.Map:
		for it := val.MapRange(); it.Next(); {
			key := fmt.Sprint(it.Key().Interface())
			v.Check(!strings.ContainsRune(key, 0), field, "must not have a key holding the NUL character (U+0000)")
			checkNUL(v, it.Value(), join(field, key))
		}
	}
}

// jsonName is the name encoding/json gives field f: "" for an embedded
// struct whose fields it promotes, and !ok for a field it never sets.
func jsonName(f reflect.StructField) (name string, ok bool) {
	name, _, _ = strings.Cut(f.Tag.Get("json"), ",")
	switch {
	case name == "-" || !f.IsExported() && !f.Anonymous:
		return "", false
	case name != "":
		return name, true
	case f.Anonymous:
		return "", true
	}
	return f.Name, true
}

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
