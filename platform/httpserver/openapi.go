package httpserver

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.json
var baseOpenAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of a server: the base (health
// checks, problems, shared schemas) with each module's fragment, which
// holds the module's paths and components, and may hold tags of its own
// (appended to the base's unless it lists them already). A path or
// component that two fragments define is an error.
func OpenAPI(fragments ...[]byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(baseOpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("openapi: base document: %w", err)
	}
	for i, raw := range fragments {
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("openapi: fragment %d: %w", i, err)
		}
		if err := mergeInto(doc, "paths", frag["paths"]); err != nil {
			return nil, err
		}
		doc["tags"] = appendTags(doc["tags"], frag["tags"])
		comps, _ := frag["components"].(map[string]any)
		for section, entries := range comps {
			if err := mergeInto(doc["components"].(map[string]any), section, entries); err != nil {
				return nil, err
			}
		}
	}
	return json.Marshal(doc) // maps marshal in key order: the same bytes every time
}

// mergeInto adds the entries of from to parent[key], refusing duplicates.
func mergeInto(parent map[string]any, key string, from any) error {
	entries, _ := from.(map[string]any)
	if len(entries) == 0 {
		return nil
	}
	into, _ := parent[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		parent[key] = into
	}
	for name, v := range entries {
		if _, taken := into[name]; taken {
			return fmt.Errorf("openapi: %s %q is defined twice", key, name)
		}
		into[name] = v
	}
	return nil
}

// RegisterOpenAPI serves doc at GET /openapi.json.
func RegisterOpenAPI(e *echo.Echo, doc []byte) {
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, doc)
	})
}

// appendTags adds to the tag objects of list those of more whose name list
// does not hold yet.
func appendTags(list, more any) any {
	tags, _ := list.([]any)
	added, _ := more.([]any)
	if len(added) == 0 {
		return list
	}
	names := map[any]bool{}
	for _, t := range tags {
		if tag, ok := t.(map[string]any); ok {
			names[tag["name"]] = true
		}
	}
	for _, t := range added {
		if tag, ok := t.(map[string]any); ok && !names[tag["name"]] {
			tags, names[tag["name"]] = append(tags, tag), true
		}
	}
	return tags
}
