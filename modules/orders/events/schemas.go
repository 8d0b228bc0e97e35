package events

import (
	"embed"
	"io/fs"
)

//go:embed schemas/*.json asyncapi.json
var contractFiles embed.FS

// Schemas holds the JSON Schema (2020-12) of each topic's payload, named
// "<topic>.json". A published v1 schema only ever changes compatibly; the
// tests hold it to the copy first published, in testdata/published.
var Schemas = func() fs.FS {
	sub, err := fs.Sub(contractFiles, "schemas")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}()

// AsyncAPI is the AsyncAPI 3.0 document of the module's topics.
func AsyncAPI() []byte {
	b, _ := contractFiles.ReadFile("asyncapi.json") // embedded: cannot fail
	return b
}
