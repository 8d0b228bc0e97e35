package wiring

import (
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/devdash"
	"example.com/modmono/platform/gcppub"
	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/settings"
	"example.com/modmono/platform/tracing"
)

// Config is everything the process reads from its environment: the
// system-wide settings here, and each module's own Config, which the module
// reads from the settings it declares (ModuleConfigs). LoadConfig fills it;
// every field has a default that works on a laptop.
type Config struct {
	Port      int    // PORT: the HTTP port (default 8080)
	DataDir   string // DATA_DIR: where the module databases live (default ./data)
	JWTSecret string // JWT_SECRET: token signing secret, ≥32 bytes (default: generated, kept in DATA_DIR)
	// EVENT_SIGNING_KEYS: the keys events are signed and verified with,
	// <module>/<key name>=<secret>, comma-separated (see messaging.ParseKeys;
	// default on the in-process bus: generated, kept in DATA_DIR; required
	// with BUS=nats and in functions). EVENT_CLOCK_SKEW: how far in the
	// future an event may be dated (default 1m).
	EventKeys       *messaging.Keys
	TokenTTL        time.Duration // TOKEN_TTL: access token lifetime (default 1h)
	LogLevel        slog.Level    // LOG_LEVEL: debug, info, warn, error (default info)
	LogFormat       logging.Format
	MaxBodyBytes    int           // MAX_BODY_BYTES: request body limit (default 65536)
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT: grace period for in-flight work (default 15s)
	RelayPoll       time.Duration // RELAY_POLL_INTERVAL: outbox fallback poll (default 2s)
	// RELAY_STALL_TIMEOUT: how long a relay may fail to publish (the bus is
	// down, or on the in-process bus its consumer cannot take the event)
	// before /readyz answers 503 (default 30s)
	RelayStallTimeout time.Duration
	MaxRetries        int           // CONSUMER_MAX_RETRIES: attempts before the poison queue (default 5)
	InboxRetention    time.Duration // INBOX_RETENTION: how long handled event ids are kept against redelivery (default 720h)
	PoisonRetention   time.Duration // POISON_RETENTION: how long poisoned events are kept for repair (default 336h)
	// METRICS_ADDR: where /metrics is served: host:port of a listener of
	// its own (e.g. 127.0.0.1:9090), or "public" for the public port, which
	// has it only when so asked (default none: /metrics is not served)
	MetricsAddr string

	// HTTP holds the server's timeouts, header limit, client address and
	// rate limit: HTTP_READ_HEADER_TIMEOUT (5s), HTTP_READ_TIMEOUT (30s),
	// HTTP_WRITE_TIMEOUT (30s), HTTP_IDLE_TIMEOUT (2m), HTTP_MAX_HEADER_BYTES
	// (16384), CLIENT_IP_HEADER (none), TRUSTED_PROXIES (none; required with CLIENT_IP_HEADER),
	// RATE_LIMIT and RATE_LIMIT_BURST (off). BodyLimit and ShutdownTimeout
	// come from MAX_BODY_BYTES and SHUTDOWN_TIMEOUT.
	HTTP httpserver.Config
	// Tracing exports OpenTelemetry traces over OTLP when
	// OTEL_TRACES_EXPORTER=otlp, or when it is unset and
	// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is
	// set; the exporter reads the other OTEL_* variables itself. Off by
	// default, and with OTEL_SDK_DISABLED=true.
	Tracing tracing.Config
	// ExpensiveRateLimit limits sign-up and login per client:
	// AUTH_RATE_LIMIT (2 a second) and AUTH_RATE_LIMIT_BURST (20).
	ExpensiveRateLimit httpserver.RateLimit

	// Storage: with DATABASE_URL (postgres://…) every module keeps its
	// data in its own schema of that PostgreSQL database, and
	// <MODULE>_DATABASE_URL (one for each module of the catalog) moves one
	// module elsewhere, for instance to a login of a role that has grants on
	// its schema only. Without either, each module is a SQLite file in
	// DATA_DIR. DB_MAX_CONNS caps each module's PostgreSQL pool (default 10).
	DatabaseURLs map[string]DatabaseURL // by module; none: SQLite
	DBMaxConns   int

	// Bus is how the server's modules pass events: BUS=inprocess (the
	// default: one process) or BUS=nats, NATS JetStream at NATS_URL, which
	// several server instances share; NATS_STREAM names the stream
	// (default modmono) and NATS_ACK_WAIT is how long an event may go
	// unacknowledged before JetStream redelivers it (default 30s).
	Bus natsbus.Config
	// BusKind is BUS: "inprocess" or "nats".
	BusKind string

	// ModuleConfigs holds each module's own Config, by module name, as the
	// module read it from its own settings (see the catalog in wiring.go).
	ModuleConfigs map[string]any

	Mode           Mode   // APP_MODE: server, lambda or gcf (default: detected, see detectMode)
	Module         string // APP_MODULE: the one module a function runs (lambda; gcf derives it from FUNCTION_TARGET)
	FunctionTarget string // FUNCTION_TARGET: set by the Cloud Functions runtime: "<module>", "<module>-events" or "<module>-relay"
	EventsTopicARN string // EVENTS_TOPIC_ARN: the SNS topic a Lambda relay publishes to
	PubSubTopic    string // PUBSUB_TOPIC: the Pub/Sub topic a Cloud Functions relay publishes to, projects/<p>/topics/<id>
	// INLINE_PUBLISH_TIMEOUT: how long a function that committed events
	// may spend, before it answers, publishing them to the topic itself
	// (default 2s; 0 turns it off: the scheduled relay alone publishes)
	InlinePublishTimeout time.Duration

	// MaxEventBytes is MAX_EVENT_BYTES, the largest event a function
	// takes: a Cloud Functions CloudEvent or push body, a Lambda SQS record
	// (default 256 KiB, from 1 KiB to 16 MiB). A larger one is acknowledged
	// and put in the poison queue, never retried. The default is three times
	// the largest event a default 64 KiB request makes (an order's items,
	// base64 in a Pub/Sub push: about 87 KiB), and what the poison queue
	// keeps of a body; 16 MiB admits anything Pub/Sub can deliver (10 MB of
	// data, base64 in a push).
	MaxEventBytes int

	// Dashboard is the development dashboard's listener: DEV_DASHBOARD_ADDR
	// (default 127.0.0.1:9400 on the embedded defaults, else off; "off"
	// turns it off) and DEV_DASHBOARD_TOKEN (see dashboardConfig).
	Dashboard devdash.Config
	// DashboardByDefault: Dashboard.Addr is the default, not asked for; a
	// server that cannot listen there (a second `go run .`) goes on
	// without the dashboard, saying so, instead of refusing to start.
	DashboardByDefault bool

	// checkSchemaOnly: the process must not migrate (the events command).
	checkSchemaOnly bool
}

// Mode is how the binary runs.
type Mode string

// The modes.
const (
	ModeServer Mode = "server" // every module behind one HTTP server
	ModeLambda Mode = "lambda" // one module under the AWS Lambda runtime
	ModeGCF    Mode = "gcf"    // one module under the Google Cloud Functions framework
)

// LoadConfig reads the configuration through getenv and validates it, then
// asks each module of the catalog to read its own. The error names every
// bad variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	p := settings.New(getenv)
	cfg := Config{
		Port:              p.Int("PORT", 8080, 1, 65535),
		DataDir:           p.String("DATA_DIR", "./data"),
		JWTSecret:         getenv("JWT_SECRET"),
		TokenTTL:          p.Duration("TOKEN_TTL", time.Hour, time.Minute, 7*24*time.Hour),
		LogLevel:          p.Level("LOG_LEVEL", slog.LevelInfo),
		LogFormat:         logging.Format(p.OneOf("LOG_FORMAT", "auto", "auto", "json", "text")),
		MaxBodyBytes:      p.Int("MAX_BODY_BYTES", 64<<10, 1<<10, 10<<20),
		ShutdownTimeout:   p.Duration("SHUTDOWN_TIMEOUT", 15*time.Second, time.Second, 10*time.Minute),
		RelayPoll:         p.Duration("RELAY_POLL_INTERVAL", 2*time.Second, 10*time.Millisecond, time.Hour),
		RelayStallTimeout: p.Duration("RELAY_STALL_TIMEOUT", 30*time.Second, time.Second, 24*time.Hour),
		MaxRetries:        p.Int("CONSUMER_MAX_RETRIES", 5, 1, 100),
		InboxRetention:    p.Duration("INBOX_RETENTION", 30*24*time.Hour, time.Hour, 365*24*time.Hour),
		PoisonRetention:   p.Duration("POISON_RETENTION", 14*24*time.Hour, time.Hour, 365*24*time.Hour),
		ExpensiveRateLimit: httpserver.RateLimit{
			Rate: p.Float("AUTH_RATE_LIMIT", 2, 0, 1e6), Burst: p.Int("AUTH_RATE_LIMIT_BURST", 20, 1, 1e6)},
	}
	cfg.HTTP = httpConfig(p, cfg.MaxBodyBytes, cfg.ShutdownTimeout)
	cfg.MetricsAddr = p.ListenAddr("METRICS_ADDR", MetricsOnPublicPort)
	cfg.DBMaxConns = p.Int("DB_MAX_CONNS", 10, 1, 1000)
	cfg.DatabaseURLs = databaseURLs(p, Modules)
	cfg.BusKind, cfg.Bus = busConfig(p)
	cfg.Tracing = tracing.Config{ServiceName: "modmono", Export: tracesExported(p)}
	cfg.HTTP.ClientIP.TrustedProxies = trustedProxies(p, cfg.HTTP.ClientIP.Header)
	if cfg.JWTSecret != "" && len(cfg.JWTSecret) < auth.MinSecretLen {
		p.Fail("JWT_SECRET", "must be at least %d bytes long", auth.MinSecretLen)
	}
	readFunctionConfig(p, &cfg)
	cfg.EventKeys = eventKeys(p, cfg.Mode, cfg.BusKind)
	cfg.ModuleConfigs = loadModuleConfigs(p)
	cfg.Dashboard, cfg.DashboardByDefault = dashboardConfig(p, cfg)
	return cfg, p.Err()
}

// httpConfig reads the HTTP server's settings; the body limit and shutdown
// timeout come from the system-wide ones.
func httpConfig(p *settings.Parser, maxBodyBytes int, shutdownTimeout time.Duration) httpserver.Config {
	return httpserver.Config{
		BodyLimit:         strconv.Itoa(maxBodyBytes),
		ShutdownTimeout:   shutdownTimeout,
		ReadHeaderTimeout: p.Duration("HTTP_READ_HEADER_TIMEOUT", 5*time.Second, 100*time.Millisecond, time.Hour),
		ReadTimeout:       p.Duration("HTTP_READ_TIMEOUT", 30*time.Second, 100*time.Millisecond, time.Hour),
		WriteTimeout:      p.Duration("HTTP_WRITE_TIMEOUT", 30*time.Second, 100*time.Millisecond, time.Hour),
		IdleTimeout:       p.Duration("HTTP_IDLE_TIMEOUT", 2*time.Minute, time.Second, time.Hour),
		MaxHeaderBytes:    p.Int("HTTP_MAX_HEADER_BYTES", 16<<10, 1<<10, 1<<20),
		ClientIP:          httpserver.ClientIP{Header: p.OneOf("CLIENT_IP_HEADER", "", "x-forwarded-for", "x-real-ip")},
		RateLimit:         httpserver.RateLimit{Rate: p.Float("RATE_LIMIT", 0, 0, 1e6), Burst: p.Int("RATE_LIMIT_BURST", 200, 1, 1e6)},
	}
}

// trustedProxies reads TRUSTED_PROXIES, which goes together with the
// client address header: one without the other is an error.
func trustedProxies(p *settings.Parser, header string) []*net.IPNet {
	proxies := p.Networks("TRUSTED_PROXIES")
	switch trusted, header := len(proxies) > 0, header != ""; {
	case trusted && !header:
		p.Fail("TRUSTED_PROXIES", "names proxies whose CLIENT_IP_HEADER is believed; set CLIENT_IP_HEADER too")
	case header && !trusted:
		// No default: trusting every private address would let any host
		// in the network pose as any client.
		p.Fail("TRUSTED_PROXIES", "CLIENT_IP_HEADER is believed only from the proxies named here (CIDR ranges or addresses); set it")
	}
	return proxies
}

// readFunctionConfig reads where functions publish, the mode and the one
// module a function runs.
func readFunctionConfig(p *settings.Parser, cfg *Config) {
	getenv := p.Getenv
	cfg.FunctionTarget = strings.TrimSpace(getenv("FUNCTION_TARGET"))
	cfg.EventsTopicARN = strings.TrimSpace(getenv("EVENTS_TOPIC_ARN"))
	if cfg.PubSubTopic = strings.TrimSpace(getenv("PUBSUB_TOPIC")); cfg.PubSubTopic != "" {
		if _, err := gcppub.Project(cfg.PubSubTopic); err != nil {
			p.Fail("PUBSUB_TOPIC", "%q is not a topic name projects/<project>/topics/<id>", cfg.PubSubTopic)
		}
	}
	cfg.InlinePublishTimeout = p.Duration("INLINE_PUBLISH_TIMEOUT", 2*time.Second, 0, time.Minute)
	cfg.MaxEventBytes = p.Int("MAX_EVENT_BYTES", 256<<10, 1<<10, 16<<20)
	cfg.Mode = Mode(p.OneOf("APP_MODE", string(detectMode(getenv)), string(ModeServer), string(ModeLambda), string(ModeGCF)))
	cfg.Module = strings.TrimSpace(getenv("APP_MODULE"))
	if cfg.Mode == ModeGCF && cfg.Module == "" {
		cfg.Module = strings.TrimSuffix(strings.TrimSuffix(cfg.FunctionTarget, "-events"), "-relay")
	}
	if cfg.Mode != ModeServer && !slices.Contains(Modules, cfg.Module) {
		name := "APP_MODULE"
		if cfg.Mode == ModeGCF && getenv("APP_MODULE") == "" {
			name = "FUNCTION_TARGET"
		}
		p.Fail(name, "%s mode runs one module; %q is not one of %s", cfg.Mode, cfg.Module, strings.Join(Modules, ", "))
	}
}

// detectMode picks the mode from the environment the platform sets: the
// Lambda runtime sets AWS_LAMBDA_RUNTIME_API, Cloud Functions FUNCTION_TARGET.
func detectMode(getenv func(string) string) Mode {
	switch {
	case getenv("AWS_LAMBDA_RUNTIME_API") != "":
		return ModeLambda
	case getenv("FUNCTION_TARGET") != "":
		return ModeGCF
	}
	return ModeServer
}

// Addr is the address the HTTP server listens on.
func (c Config) Addr() string { return ":" + strconv.Itoa(c.Port) }

// tracesExported reads the standard OpenTelemetry switches; only the OTLP
// exporter is built in.
func tracesExported(p *settings.Parser) bool {
	if strings.EqualFold(strings.TrimSpace(p.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch p.OneOf("OTEL_TRACES_EXPORTER", "", "otlp", "none") {
	case "otlp":
		return true
	case "none":
		return false
	}
	return p.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || p.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}
