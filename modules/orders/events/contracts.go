package events

import "embed"

// Contracts holds the module's event contracts: schemas/<topic>.json, the
// JSON Schema (2020-12) of each topic's payload, and asyncapi.json, the
// AsyncAPI 3.0 document of its topics. A published v1 schema only ever
// changes compatibly; the tests hold it to the copy first published, in
// testdata/published.
//
//go:embed schemas/*.json asyncapi.json
var Contracts embed.FS
