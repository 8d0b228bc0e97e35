package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/modmono/platform/sqldb/sqldbtest"
)

// snsFake answers the SNS Publish action (AWS query protocol) on loopback.
// It stands in for Amazon SNS, which cannot run here. Its mode says what a
// publish meets: accepted, a 500, or held until the fake closes (a publish
// in flight when the function dies). onPublish, if set, learns of each
// accepted message.
type snsFake struct {
	mu        sync.Mutex
	mode      string // "", "fail" or "hold"
	messages  []snsMessage
	held      chan struct{} // a publish is being held
	closing   chan struct{}
	onPublish func(snsMessage)
}

type snsMessage struct {
	at        time.Time
	eventType string
	body      string
}

func startSNSFake(t testing.TB) (*snsFake, []string) {
	t.Helper()
	f := &snsFake{held: make(chan struct{}, 16), closing: make(chan struct{})}
	srv := httptest.NewServer(f)
	t.Cleanup(func() { close(f.closing); srv.Close() })
	return f, []string{"AWS_ENDPOINT_URL_SNS=" + srv.URL, "AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test", "EVENTS_TOPIC_ARN=arn:aws:sns:eu-west-1:123456789012:modmono-events"}
}

// deliverTo has each accepted message handed to f as well.
func (f *snsFake) deliverTo(on func(snsMessage)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onPublish = on
}

func (f *snsFake) setMode(m string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode = m
}

func (f *snsFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "Publish" {
		http.Error(w, "unsupported", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	mode := f.mode
	f.mu.Unlock()
	switch mode {
	case "fail":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code><Message>fake</Message></Error></ErrorResponse>`)
		return
	case "hold":
		f.held <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-f.closing:
		}
		return
	}
	m := snsMessage{at: time.Now(), eventType: r.Form.Get("MessageAttributes.entry.1.Value.StringValue"), body: r.Form.Get("Message")}
	f.mu.Lock()
	f.messages = append(f.messages, m)
	n, on := len(f.messages), f.onPublish
	f.mu.Unlock()
	if on != nil {
		on(m)
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-%d</MessageId></PublishResult></PublishResponse>`, n)
}

func (f *snsFake) published() []snsMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]snsMessage(nil), f.messages...)
}

// scheduledEvent is what an EventBridge schedule sends the relay function.
var scheduledEvent = []byte(`{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",
"source":"aws.events","account":"123456789012","time":"2026-11-21T18:43:48Z","region":"eu-west-1",
"resources":["arn:aws:events:eu-west-1:123456789012:rule/relay"],"detail":{}}`)

// relayed is how many events a scheduled invocation's answer says it relayed.
func relayed(t testing.TB, res result) int {
	t.Helper()
	var out struct{ Relayed int }
	if res.isError || json.Unmarshal(res.body, &out) != nil {
		t.Fatalf("scheduled relay: error=%v %s", res.isError, res.body)
	}
	return out.Relayed
}

// startLambda starts the binary as module's Lambda function against a
// Runtime API of its own, with env on top of the defaults.
func startLambda(t testing.TB, bin, dataDir, module string, env ...string) (*runtimeAPI, *process) {
	t.Helper()
	api := newRuntimeAPI(t)
	p := &process{bin: bin, dataDir: dataDir, port: freePort(t), t: t, env: append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + api.addr, "APP_MODULE=" + module, "AWS_LAMBDA_FUNCTION_NAME=modmono-" + module}, env...)}
	p.startNoWait()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s function log:\n%s", module, p.log.String())
		}
	})
	return api, p
}

// signUpEvent is a sign-up through the HTTP API.
func signUpEvent(email string) []byte {
	return httpV2Event("POST", "/v1/users", "", fmt.Sprintf(`{"email":%q,"password":"password123","name":"N"}`, email))
}

func statusOf(t testing.TB, res result) int {
	t.Helper()
	var out struct {
		StatusCode int `json:"statusCode"`
	}
	if res.isError || json.Unmarshal(res.body, &out) != nil {
		t.Fatalf("invocation: error=%v %s", res.isError, res.body)
	}
	return out.StatusCode
}

// The users HTTP function, run as the Lambda service runs it (the binary,
// its Runtime API), publishes what a request commits to SNS (a fake) before
// it answers: no scheduled invocation is needed. A publish that SNS fails
// leaves the event to the scheduled relay; so does a function killed while
// its publish is in flight, whose next execution environment's scheduled
// relay publishes it. On SQLite, and on PostgreSQL when TEST_DATABASE_URL
// offers one.
func TestALambdaFunctionPublishesItsCommitsAndTheSweepWhatItCouldNot(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			sns, env := startSNSFake(t)
			if engine == "postgres" {
				env = append(env, "DATABASE_URL="+sqldbtest.PostgresURL(t))
			}
			env = append(env, "INLINE_PUBLISH_TIMEOUT=500ms")
			dataDir := t.TempDir()
			api, p := startLambda(t, bin, dataDir, "users", env...)

			start := time.Now()
			if code := statusOf(t, api.invoke(t, "signup-1", signUpEvent("one@example.com"))); code != 201 {
				t.Fatalf("sign-up: %d", code)
			}
			got := sns.published()
			if len(got) != 1 || got[0].eventType != "users.UserRegistered.v1" {
				t.Fatalf("SNS had %v when the function answered, want its UserRegistered", got)
			}
			if d := got[0].at.Sub(start); d > time.Second {
				t.Errorf("invocation to message on the topic took %s", d)
			}
			if n := relayed(t, api.invoke(t, "sweep-1", scheduledEvent)); n != 0 {
				t.Fatalf("the sweep published %d events again", n)
			}

			t.Run("a publish that SNS fails is left to the sweep", func(t *testing.T) {
				sns.setMode("fail")
				start := time.Now()
				if code := statusOf(t, api.invoke(t, "signup-2", signUpEvent("two@example.com"))); code != 201 {
					t.Fatalf("sign-up while SNS fails: %d", code)
				}
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("the failing publish held the answer for %s", d)
				}
				sns.setMode("")
				if n := relayed(t, api.invoke(t, "sweep-2", scheduledEvent)); n != 1 {
					t.Fatalf("the sweep published %d events, want the one the failed publish left", n)
				}
				if got := sns.published(); len(got) != 2 || got[1].eventType != "users.UserRegistered.v1" {
					t.Fatalf("SNS got %v", got)
				}
			})

			t.Run("a function killed between commit and publish loses nothing", func(t *testing.T) {
				sns.setMode("hold")
				api.pending <- invocation{id: "signup-3", event: signUpEvent("three@example.com")}
				select {
				case <-sns.held: // committed, and publishing
				case <-time.After(10 * time.Second):
					t.Fatal("the function never tried to publish")
				}
				p.kill()
				sns.setMode("")

				// The next execution environment's scheduled relay. The dead
				// one's lease on the outbox runs out within 5 s.
				api, _ := startLambda(t, bin, dataDir, "users", env...)
				deadline := time.Now().Add(20 * time.Second)
				for i := 0; ; i++ {
					if relayed(t, api.invoke(t, fmt.Sprint("sweep-3-", i), scheduledEvent)) == 1 {
						break
					}
					if time.Now().After(deadline) {
						t.Fatal("the sweep never published the event the killed function committed")
					}
					time.Sleep(500 * time.Millisecond)
				}
				var emails []string
				for _, m := range sns.published() {
					emails = append(emails, emailOf(m.body))
				}
				if strings.Join(emails, " ") != "one@example.com two@example.com three@example.com" {
					t.Fatalf("SNS got the sign-ups of %v", emails)
				}
			})
		})
	}
}

// emailOf is the e-mail a UserRegistered message carries.
func emailOf(body string) string {
	var msg struct {
		Payload []byte `json:"payload"`
	}
	_ = json.Unmarshal([]byte(body), &msg)
	var ev struct {
		Email string `json:"email"`
	}
	_ = json.Unmarshal(msg.Payload, &ev)
	return ev.Email
}
