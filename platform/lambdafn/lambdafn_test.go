package lambdafn_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-lambda-go/events"
	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/lambdafn"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/sqldb"
)

// TestOneFailingRecordIsReportedAlone drives the real processor, with a
// handler that fails on one event, through the SQS fixture aws-lambda-go ships.
func TestOneFailingRecordIsReportedAlone(t *testing.T) {
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), "m.db"), sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range messaging.Schema() {
		if err := db.Migrate(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Write.Exec(`CREATE TABLE effects (payload TEXT)`); err != nil {
		t.Fatal(err)
	}
	apply := func(ctx context.Context, tx *sqldb.Tx, ev messaging.Event) error {
		if string(ev.Payload) == "down" {
			return errors.New("a dependency is down")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO effects VALUES (?)`, string(ev.Payload))
		return err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: apply}}, logger, messaging.ProcessorConfig{MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	h := lambdafn.New(echo.New(), p, nil, messaging.UnmarshalMessage, 1<<20, logger)

	var ev events.SQSEvent
	loadFixture(t, "sqs-event.json", &ev)
	template := ev.Records[0]
	ev.Records = nil
	for _, payload := range []string{"first", "down", "third"} {
		r := template
		r.MessageId = payload + "-record"
		m := message.NewMessage(payload+"-event", []byte(payload))
		m.Metadata.Set(messaging.MetaEventType, "t.v1")
		body, _ := messaging.MarshalMessage(m)
		r.Body = string(body)
		r.Attributes = map[string]string{"ApproximateReceiveCount": "1"}
		ev.Records = append(ev.Records, r)
	}
	payload, _ := json.Marshal(ev)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res events.SQSEventResponse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "down-record" {
		t.Fatalf("batchItemFailures %+v, want exactly down-record", res.BatchItemFailures)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT count(*) FROM effects`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d effects (%v), want the 2 good records applied", n, err)
	}
}

func loadFixture(t *testing.T, name string, v any) {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "events", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

func TestUnsupportedEventsAreErrors(t *testing.T) {
	h := lambdafn.New(echo.New(), nil, nil, messaging.UnmarshalMessage, 1<<20, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, payload := range []string{`{}`, `[1,2]`, `not json`, `{"Records":[{"eventSource":"aws:kinesis"}]}`} {
		if _, err := h.Invoke(context.Background(), []byte(payload)); !errors.Is(err, lambdafn.ErrUnsupportedEvent) {
			t.Errorf("%s: err = %v", payload, err)
		}
	}
}
