package eventschema_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"example.com/modmono/platform/eventschema"
)

const published = `{
  "type": "object",
  "required": ["id", "items"],
  "properties": {
    "id": {"type": "string"},
    "kind": {"enum": ["a", "b"]},
    "at": {"type": "string", "format": "date-time"},
    "items": {"type": "array", "items": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}}}}
  }
}`

func TestCompatibleChangesPass(t *testing.T) {
	tests := map[string]string{
		"unchanged":             published,
		"a new optional field":  strings.Replace(published, `"id": {"type": "string"},`, `"id": {"type": "string"}, "note": {"type": "string"},`, 1),
		"a new required field":  strings.Replace(published, `["id", "items"]`, `["id", "items", "kind"]`, 1),
		"a description changed": strings.Replace(published, `"type": "object",`, `"type": "object", "description": "now documented",`, 1),
	}
	for name, current := range tests {
		if err := eventschema.Compatible([]byte(published), []byte(current)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestIncompatibleChangesFail(t *testing.T) {
	tests := map[string]struct{ current, want string }{
		"a property removed":       {strings.Replace(published, `"at": {"type": "string", "format": "date-time"},`, ``, 1), "$.at: removed"},
		"no longer required":       {strings.Replace(published, `["id", "items"]`, `["items"]`, 1), `"id" is no longer required`},
		"a type changed":           {strings.Replace(published, `"id": {"type": "string"}`, `"id": {"type": "integer"}`, 1), "$.id: type"},
		"an enum grew":             {strings.Replace(published, `["a", "b"]`, `["a", "b", "c"]`, 1), "$.kind: enum"},
		"a format changed":         {strings.Replace(published, `"date-time"`, `"date"`, 1), "$.at: format"},
		"a nested property's type": {strings.Replace(published, `"n": {"type": "integer"}`, `"n": {"type": "string"}`, 1), "$.items[].n: type"},
	}
	for name, tc := range tests {
		err := eventschema.Compatible([]byte(published), []byte(tc.current))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tc.want)
		}
	}
}

func TestValidateChecksPayloads(t *testing.T) {
	schemas := fstest.MapFS{eventschema.File("x.Happened.v1"): {Data: []byte(published)}}
	if err := eventschema.Validate(schemas, "x.Happened.v1", []byte(`{"id": "1", "items": [{"n": 2}], "at": "2026-11-22T10:00:00Z"}`)); err != nil {
		t.Errorf("a good payload: %v", err)
	}
	for _, bad := range []string{`{"items": []}`, `{"id": 1, "items": []}`, `{"id": "1", "items": [], "at": "yesterday"}`, `not json`} {
		if err := eventschema.Validate(schemas, "x.Happened.v1", []byte(bad)); err == nil {
			t.Errorf("%s passed", bad)
		}
	}
	if err := eventschema.Validate(schemas, "x.Unknown.v1", []byte(`{}`)); err == nil {
		t.Error("a topic without a schema passed")
	}
}
