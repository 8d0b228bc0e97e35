package notifications

import (
	"strings"
	"time"

	"example.com/modmono/platform/settings"
	"example.com/modmono/platform/webhook"
)

// Settings are the environment variables notifications reads
// (LoadConfig), as docs/configuration.md documents them: where
// notifications are delivered.
var Settings = []settings.Setting{
	{Name: "NOTIFY_WEBHOOK_URL", Default: "none: notifications are log lines", Secret: true,
		Meaning: "where each notification is POSTed as JSON; without it, each is a log line"},
	{Name: "NOTIFY_WEBHOOK_SECRET", Default: "none: unsigned", Secret: true,
		Meaning: "signs each body: X-Webhook-Signature: sha256=<hex HMAC-SHA256>"},
	{Name: "NOTIFY_WEBHOOK_TIMEOUT", Default: "5s", Meaning: "bounds each call to the webhook (100ms–1m)"},
	{Name: "NOTIFY_WEBHOOK_BREAKER_FAILURES", Default: "5", Meaning: "failed calls in a row that open the circuit breaker (1–1000)"},
	{Name: "NOTIFY_WEBHOOK_BREAKER_OPEN", Default: "30s", Meaning: "how long the open breaker refuses calls (1s–1h)"},
}

// LoadConfig reads where notifications are delivered: POSTed to the
// webhook at NOTIFY_WEBHOOK_URL, through a timeout and a circuit breaker,
// or, without it, written to the log.
func LoadConfig(p *settings.Parser) Config {
	w := webhook.Config{
		URL:      strings.TrimSpace(p.Getenv("NOTIFY_WEBHOOK_URL")),
		Secret:   p.Getenv("NOTIFY_WEBHOOK_SECRET"),
		Timeout:  p.Duration("NOTIFY_WEBHOOK_TIMEOUT", 5*time.Second, 100*time.Millisecond, time.Minute),
		Failures: p.Int("NOTIFY_WEBHOOK_BREAKER_FAILURES", 5, 1, 1000),
		OpenFor:  p.Duration("NOTIFY_WEBHOOK_BREAKER_OPEN", 30*time.Second, time.Second, time.Hour),
	}
	switch {
	case w.URL != "":
		if err := w.Validate(); err != nil {
			// Not quoted: a webhook URL often carries its token.
			p.Fail("NOTIFY_WEBHOOK_URL", "is not an absolute http or https URL")
		}
	case w.Secret != "":
		p.Fail("NOTIFY_WEBHOOK_SECRET", "signs what is posted to NOTIFY_WEBHOOK_URL, which is not set")
	}
	return Config{Webhook: w}
}
