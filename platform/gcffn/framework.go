package gcffn

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	_ "unsafe" // for go:linkname

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

// initServer is the Functions Framework's own: the *http.ServeMux that
// serves the function FUNCTION_TARGET names at "/", through the
// framework's wrappers (CloudEvent decoding, the conversion of Pub/Sub
// pushes and background events to CloudEvents, panic recovery). The
// framework exports it only inside StartHostPort, which serves it with a
// bare http.ListenAndServe: no timeouts, no header or body limit, no drain
// on SIGTERM. Measured on v1.9.2: a client sending headers slowly held its
// connection for 65 s, 200 such connections took the process from 37 MB
// to 408 MB of RSS, and SIGTERM dropped requests in flight. So we take the
// handler and serve it on platform/httpserver. go.mod pins v1.9.2;
// TestTheFrameworkStillBuildsItsHandlerAsThisPackageExpects fails if an
// upgrade changes initServer.
//
//go:linkname initServer github.com/GoogleCloudPlatform/functions-framework-go/funcframework.initServer
func initServer() (*http.ServeMux, error)

// keep funcframework linked in, whose initServer the declaration above is.
var _ = funcframework.Start

var (
	// registryMu guards the framework's registry, a map with no lock of its own.
	registryMu sync.Mutex
	registered = map[string]bool{}
)

// register declares name to the framework once per process: the registry
// exits the process on a duplicate, and tests serve the same function
// many times. What the registered function runs is carried by each
// request (see dispatch.go), so a second registration has nothing to add.
func register(name string, declare func()) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if !registered[name] {
		declare()
		registered[name] = true
	}
}

// framework returns the framework's handler for target, which the
// framework takes from FUNCTION_TARGET: the two must agree.
func framework(target string) (http.Handler, error) {
	if env := os.Getenv("FUNCTION_TARGET"); env != target {
		return nil, fmt.Errorf("the Functions Framework serves FUNCTION_TARGET %q, not %q", env, target)
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	mux, err := initServer()
	if err != nil {
		return nil, fmt.Errorf("functions framework: %w", err)
	}
	return mux, nil
}
