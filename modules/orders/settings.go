package orders

import (
	"time"

	"example.com/modmono/platform/settings"
)

// Settings are the environment variables orders reads (LoadConfig), as
// docs/configuration.md documents them.
var Settings = []settings.Setting{
	{Name: "IDEMPOTENCY_KEY_TTL", Default: "24h", Meaning: "how long a retry with the same Idempotency-Key is recognised (1s–720h)"},
	{Name: "ORDER_MAX_ITEMS", Default: "100", Meaning: "the most lines one order may hold (1–1000)"},
}

// LoadConfig reads the module's Config from its Settings through p.
func LoadConfig(p *settings.Parser) Config {
	return Config{
		IdempotencyKeyTTL: p.Duration("IDEMPOTENCY_KEY_TTL", 24*time.Hour, time.Second, 30*24*time.Hour),
		MaxItems:          p.Int("ORDER_MAX_ITEMS", 100, 1, 1000),
	}
}
