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
// holds the module's paths and components. A path or component that two
// fragments define is an error.
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
