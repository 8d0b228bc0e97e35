package wiring

import (
	"strings"
	"time"

	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/settings"
)

// busConfig reads BUS and, for NATS, where the server is and the stream.
func busConfig(p *settings.Parser) (string, natsbus.Config) {
	kind := p.OneOf("BUS", "inprocess", "inprocess", "nats")
	bus := natsbus.Config{
		URL:     strings.TrimSpace(p.Getenv("NATS_URL")),
		Stream:  p.String("NATS_STREAM", "modmono"),
		AckWait: p.Duration("NATS_ACK_WAIT", 30*time.Second, time.Second, time.Hour),
	}
	if kind == "nats" && bus.URL == "" {
		p.Fail("NATS_URL", "BUS=nats needs the NATS server's URL, e.g. nats://127.0.0.1:4222")
	}
	if !validStream(bus.Stream) {
		p.Fail("NATS_STREAM", "%q is not a JetStream stream name (letters, digits, - and _)", bus.Stream)
	}
	return kind, bus
}

// validStream reports whether name may name a JetStream stream.
func validStream(name string) bool {
	for _, r := range name {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return name != "" && len(name) <= 64
}

// eventKeys reads EVENT_SIGNING_KEYS and EVENT_CLOCK_SKEW. Unset, it is
// nil: a server on the in-process bus generates its own keys, but processes
// that pass events to one another must share theirs.
func eventKeys(p *settings.Parser, mode Mode, bus string) *messaging.Keys {
	skew := p.Duration("EVENT_CLOCK_SKEW", messaging.DefaultClockSkew, time.Second, time.Hour)
	v := p.Getenv("EVENT_SIGNING_KEYS")
	if strings.TrimSpace(v) == "" {
		if mode != ModeServer || bus != "inprocess" {
			p.Fail("EVENT_SIGNING_KEYS", "%s needs the keys every process that passes events shares, "+
				"<module>/<key name>=<secret>,… (at least %d bytes each)", describeEventPath(mode), messaging.MinKeyLen)
		}
		return nil
	}
	keys, err := messaging.ParseKeys(v)
	if err != nil {
		p.Fail("EVENT_SIGNING_KEYS", "%v", err)
		return nil
	}
	keys.ClockSkew = skew
	return keys
}

// describeEventPath names, for an error, what passes events between processes in mode.
func describeEventPath(mode Mode) string {
	if mode == ModeServer {
		return "BUS=nats"
	}
	return string(mode) + " mode"
}
