package httpserver_test

import (
	"encoding/json"
	"testing"

	"example.com/modmono/platform/httpserver"
)

// A module's fragment may bring its own tags: each is listed once, after
// the base's, and one the base lists already is not repeated.
func TestAFragmentAddsItsOwnTagsOnce(t *testing.T) {
	frag := []byte(`{"tags": [{"name": "users"}, {"name": "extra", "description": "x"}], "paths": {}}`)
	raw, err := httpserver.OpenAPI(frag, []byte(`{"tags": [{"name": "extra"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tags []struct{ Name string } `json:"tags"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, tag := range doc.Tags {
		seen[tag.Name]++
	}
	if seen["users"] != 1 || seen["extra"] != 1 || doc.Tags[len(doc.Tags)-1].Name != "extra" {
		t.Fatalf("tags %v", doc.Tags)
	}
}
