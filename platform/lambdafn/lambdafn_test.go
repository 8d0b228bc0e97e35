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
	"example.com/modmono/platform/messaging/messagingtest"
	"example.com/modmono/platform/sqldb"
)

// TestOneFailingRecordIsReportedAlone drives the real processor, with a
// handler that fails on one event, through the SQS fixture aws-lambda-go ships.
func TestOneFailingRecordIsReportedAlone(t *testing.T) {
	db, h := newHandler(t, 1<<20)
	ev := sqsEvent(t)
	for _, payload := range []string{"first", "down", "third"} {
		m := message.NewMessage(payload+"-event", []byte(payload))
		m.Metadata.Set(messaging.MetaEventType, "t.v1")
		body, _ := messaging.MarshalMessage(messagingtest.Signed(m))
		ev.add(payload+"-record", string(body))
	}
	res := ev.invoke(t, h)
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "down-record" {
		t.Fatalf("batchItemFailures %+v, want exactly down-record", res.BatchItemFailures)
	}
	var n int
	if err := db.Read.QueryRow(`SELECT count(*) FROM effects`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d effects (%v), want the 2 good records applied", n, err)
	}
}

// A record that can never succeed goes to the poison queue and is not
// reported: reported, SQS would deliver it again until its dead-letter queue.
func TestRecordsThatCanNeverSucceedArePoisonedAndNotReported(t *testing.T) {
	db, h := newHandler(t, 2<<10)
	ev := sqsEvent(t)
	unknown := message.NewMessage("unknown-event", []byte("{}"))
	unknown.Metadata.Set(messaging.MetaEventType, "nobody.Consumes.v1")
	body, _ := messaging.MarshalMessage(unknown)
	ev.add("oversized", strings.Repeat("x", 3<<10))
	ev.add("not-a-message", `{"uuid":`)
	ev.add("unknown-type", string(body))
	if res := ev.invoke(t, h); len(res.BatchItemFailures) != 0 {
		t.Fatalf("batchItemFailures %+v, want none", res.BatchItemFailures)
	}
	poisoned, err := messaging.Poisoned(context.Background(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(poisoned) != 3 {
		t.Fatalf("%d poisoned, want the 3 records", len(poisoned))
	}
	if got := len(poisoned[0].Message.Payload); got > 4<<10 || !strings.Contains(poisoned[0].Reason, "over the limit") {
		t.Errorf("the oversized record was kept with %d bytes for %q", got, poisoned[0].Reason)
	}
}

// newHandler is a handler whose processor applies "t.v1" events, failing
// on payload "down", into the table effects of db.
func newHandler(t *testing.T, maxEventBytes int) (*sqldb.DB, *lambdafn.Handler) {
	t.Helper()
	db, err := sqldb.OpenSQLite(filepath.Join(t.TempDir(), "m.db"), sqldb.SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
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
	p, err := messaging.NewProcessor("test", db, []messaging.Handler{{Topic: "t.v1", Apply: apply}}, logger, messaging.ProcessorConfig{Keys: messagingtest.Keys, MaxRetries: 3})
	if err != nil {
		t.Fatal(err)
	}
	return db, lambdafn.New(echo.New(), p, nil, messaging.UnmarshalMessage, maxEventBytes, logger)
}

// batch is an SQS event built on the fixture aws-lambda-go ships.
type batch struct {
	events.SQSEvent
	template events.SQSMessage
}

func sqsEvent(t *testing.T) *batch {
	var ev events.SQSEvent
	loadFixture(t, "sqs-event.json", &ev)
	return &batch{template: ev.Records[0]}
}

// add appends a first delivery of body.
func (b *batch) add(id, body string) {
	r := b.template
	r.MessageId, r.Body, r.Attributes = id, body, map[string]string{"ApproximateReceiveCount": "1"}
	b.Records = append(b.Records, r)
}

func (b *batch) invoke(t *testing.T, h *lambdafn.Handler) events.SQSEventResponse {
	t.Helper()
	payload, _ := json.Marshal(b.SQSEvent)
	out, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	var res events.SQSEventResponse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
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
