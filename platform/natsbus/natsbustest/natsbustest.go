// Package natsbustest gives tests a JetStream stream of their own on the
// NATS server at TEST_NATS_URL (see testenv), deleted after the test.
package natsbustest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"example.com/modmono/platform/testenv"
)

// Stream returns the server's URL and the name of a stream for t alone; the
// cleanup deletes the stream if the test made it.
func Stream(t testing.TB) (url, name string) {
	t.Helper()
	url = testenv.Service(t, "TEST_NATS_URL")
	name = "test_" + strings.ReplaceAll(uuid.NewString(), "-", "")
	t.Cleanup(func() {
		conn, err := nats.Connect(url)
		if err != nil {
			t.Errorf("delete stream %s: %v", name, err)
			return
		}
		defer conn.Close()
		js, err := conn.JetStream()
		if err == nil {
			err = js.DeleteStream(name)
		}
		if err != nil && !errors.Is(err, nats.ErrStreamNotFound) {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
	return url, name
}
