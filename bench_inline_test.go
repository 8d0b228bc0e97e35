package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkLambdaCommitToConsumer measures how long an event takes from a
// request that commits it to its effect in another module, across two
// Lambda functions run as the Lambda service runs them (the binary, each
// with its Runtime API): users' HTTP function signs a user up and publishes
// UserRegistered to SNS before it answers; SNS (a fake) hands each message
// to an SQS queue (a fake) that invokes notifications' function with an SQS
// event, which applies it (the welcome notification, committed). No
// scheduled relay runs. Reported: the time from sending the HTTP invocation
// to notifications' answer to the SQS invocation (p50, p99), an upper bound
// of commit → effect, and the HTTP invocation's own round trip (its p50),
// which includes the publish.
func BenchmarkLambdaCommitToConsumer(b *testing.B) {
	bin := buildBinary(b)
	sns, env := startSNSFake(b)
	dataDir := b.TempDir()
	users, _ := startLambda(b, bin, dataDir, "users", env...)
	notifications, _ := startLambda(b, bin, dataDir, "notifications", env...)
	var queued atomic.Int64
	sns.deliverTo(func(m snsMessage) { // the fake SQS queue, raw message delivery
		id := fmt.Sprint("sqs-", queued.Add(1))
		notifications.pending <- invocation{id: id, event: sqsEvent(id, m.body)}
	})

	signUp := func(i int) (answered, applied time.Duration) {
		start := time.Now()
		if code := statusOf(b, users.invoke(b, fmt.Sprint("http-", i), signUpEvent(fmt.Sprintf("bench%d@example.com", i)))); code != 201 {
			b.Fatalf("sign-up %d: %d", i, code)
		}
		answered = time.Since(start)
		select {
		case id := <-notifications.done:
			notifications.mu.Lock()
			res := notifications.results[id]
			notifications.mu.Unlock()
			if res.isError || strings.Contains(string(res.body), "itemIdentifier") {
				b.Fatalf("notifications failed the event: %s", res.body)
			}
		case <-time.After(20 * time.Second):
			b.Fatalf("sign-up %d: the event never reached notifications", i)
		}
		return answered, time.Since(start)
	}
	signUp(-1) // both cold starts, migrations included, out of the figures

	const n = 200
	var answers, effects []time.Duration
	b.ResetTimer()
	for i := range n {
		a, e := signUp(i)
		answers, effects = append(answers, a), append(effects, e)
	}
	b.StopTimer()
	b.ReportMetric(ms(percentile(effects, 50)), "p50_ms")
	b.ReportMetric(ms(percentile(effects, 99)), "p99_ms")
	b.ReportMetric(ms(percentile(answers, 50)), "http_p50_ms")
}

// percentile is the p-th percentile of ds, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

// sqsEvent is an SQS event of one record carrying body, as a queue
// subscribed to SNS with raw message delivery hands it to a function.
func sqsEvent(id, body string) []byte {
	ev := map[string]any{"Records": []map[string]any{{
		"messageId": id, "receiptHandle": "rh-" + id, "body": body, "eventSource": "aws:sqs",
		"eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:modmono-notifications", "awsRegion": "eu-west-1",
		"attributes":        map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(time.Now().UnixMilli())},
		"messageAttributes": map[string]any{}, "md5OfBody": "",
	}}}
	raw, _ := json.Marshal(ev)
	return raw
}
