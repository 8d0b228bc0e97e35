package wiring

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/modmono/modules/notifications"
	"example.com/modmono/modules/orders"
	"github.com/jackc/pgx/v5"

	"example.com/modmono/modules/users"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/gcppub"
	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/logging"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/natsbus"
	"example.com/modmono/platform/tracing"
	"example.com/modmono/platform/webhook"
)

// Config is everything the process reads from its environment. LoadConfig
// fills it; every field has a default that works on a laptop.
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
	// <MODULE>_DATABASE_URL (USERS_, ORDERS_, NOTIFICATIONS_) moves one
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

	// Each module's own settings.
	Users         users.Config         // BCRYPT_COST: password hash cost, 4–16 (default 10)
	Orders        orders.Config        // IDEMPOTENCY_KEY_TTL (default 24h), ORDER_MAX_ITEMS (default 100)
	Notifications notifications.Config // the Sender: a webhook (NOTIFY_WEBHOOK_*), or a log line per notification

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

// LoadConfig reads the configuration through getenv and validates it. The
// error names every bad variable.
func LoadConfig(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	cfg := Config{
		Port:              p.int("PORT", 8080, 1, 65535),
		DataDir:           p.str("DATA_DIR", "./data"),
		JWTSecret:         getenv("JWT_SECRET"),
		TokenTTL:          p.duration("TOKEN_TTL", time.Hour, time.Minute, 7*24*time.Hour),
		LogLevel:          p.level("LOG_LEVEL", slog.LevelInfo),
		LogFormat:         logging.Format(p.oneOf("LOG_FORMAT", "auto", "auto", "json", "text")),
		MaxBodyBytes:      p.int("MAX_BODY_BYTES", 64<<10, 1<<10, 10<<20),
		ShutdownTimeout:   p.duration("SHUTDOWN_TIMEOUT", 15*time.Second, time.Second, 10*time.Minute),
		RelayPoll:         p.duration("RELAY_POLL_INTERVAL", 2*time.Second, 10*time.Millisecond, time.Hour),
		RelayStallTimeout: p.duration("RELAY_STALL_TIMEOUT", 30*time.Second, time.Second, 24*time.Hour),
		MaxRetries:        p.int("CONSUMER_MAX_RETRIES", 5, 1, 100),
		InboxRetention:    p.duration("INBOX_RETENTION", 30*24*time.Hour, time.Hour, 365*24*time.Hour),
		PoisonRetention:   p.duration("POISON_RETENTION", 14*24*time.Hour, time.Hour, 365*24*time.Hour),
		Users:             users.Config{PasswordCost: p.int("BCRYPT_COST", 10, 4, 16)},
		Orders: orders.Config{
			IdempotencyKeyTTL: p.duration("IDEMPOTENCY_KEY_TTL", 24*time.Hour, time.Second, 30*24*time.Hour),
			MaxItems:          p.int("ORDER_MAX_ITEMS", 100, 1, 1000),
		},
		ExpensiveRateLimit: httpserver.RateLimit{
			Rate: p.float("AUTH_RATE_LIMIT", 2, 0, 1e6), Burst: p.int("AUTH_RATE_LIMIT_BURST", 20, 1, 1e6)},
	}
	cfg.HTTP = httpserver.Config{
		BodyLimit:         strconv.Itoa(cfg.MaxBodyBytes),
		ShutdownTimeout:   cfg.ShutdownTimeout,
		ReadHeaderTimeout: p.duration("HTTP_READ_HEADER_TIMEOUT", 5*time.Second, 100*time.Millisecond, time.Hour),
		ReadTimeout:       p.duration("HTTP_READ_TIMEOUT", 30*time.Second, 100*time.Millisecond, time.Hour),
		WriteTimeout:      p.duration("HTTP_WRITE_TIMEOUT", 30*time.Second, 100*time.Millisecond, time.Hour),
		IdleTimeout:       p.duration("HTTP_IDLE_TIMEOUT", 2*time.Minute, time.Second, time.Hour),
		MaxHeaderBytes:    p.int("HTTP_MAX_HEADER_BYTES", 16<<10, 1<<10, 1<<20),
		ClientIP:          httpserver.ClientIP{Header: p.oneOf("CLIENT_IP_HEADER", "", "x-forwarded-for", "x-real-ip")},
		RateLimit:         httpserver.RateLimit{Rate: p.float("RATE_LIMIT", 0, 0, 1e6), Burst: p.int("RATE_LIMIT_BURST", 200, 1, 1e6)},
	}
	cfg.MetricsAddr = p.listenAddr("METRICS_ADDR", MetricsOnPublicPort)
	cfg.DBMaxConns = p.int("DB_MAX_CONNS", 10, 1, 1000)
	cfg.DatabaseURLs = p.databaseURLs(Modules)
	cfg.BusKind = p.oneOf("BUS", "inprocess", "inprocess", "nats")
	cfg.Bus = natsbus.Config{
		URL:     strings.TrimSpace(getenv("NATS_URL")),
		Stream:  p.str("NATS_STREAM", "modmono"),
		AckWait: p.duration("NATS_ACK_WAIT", 30*time.Second, time.Second, time.Hour),
	}
	if cfg.BusKind == "nats" && cfg.Bus.URL == "" {
		p.fail("NATS_URL", "BUS=nats needs the NATS server's URL, e.g. nats://127.0.0.1:4222")
	}
	if !validStream(cfg.Bus.Stream) {
		p.fail("NATS_STREAM", "%q is not a JetStream stream name (letters, digits, - and _)", cfg.Bus.Stream)
	}
	cfg.Tracing = tracing.Config{ServiceName: "modmono", Export: p.tracesExported()}
	cfg.HTTP.ClientIP.TrustedProxies = p.networks("TRUSTED_PROXIES")
	switch trusted, header := len(cfg.HTTP.ClientIP.TrustedProxies) > 0, cfg.HTTP.ClientIP.Header != ""; {
	case trusted && !header:
		p.fail("TRUSTED_PROXIES", "names proxies whose CLIENT_IP_HEADER is believed; set CLIENT_IP_HEADER too")
	case header && !trusted:
		// No default: trusting every private address would let any host
		// in the network pose as any client.
		p.fail("TRUSTED_PROXIES", "CLIENT_IP_HEADER is believed only from the proxies named here (CIDR ranges or addresses); set it")
	}
	if cfg.JWTSecret != "" && len(cfg.JWTSecret) < auth.MinSecretLen {
		p.fail("JWT_SECRET", "must be at least %d bytes long", auth.MinSecretLen)
	}
	cfg.FunctionTarget = strings.TrimSpace(getenv("FUNCTION_TARGET"))
	cfg.EventsTopicARN = strings.TrimSpace(getenv("EVENTS_TOPIC_ARN"))
	if cfg.PubSubTopic = strings.TrimSpace(getenv("PUBSUB_TOPIC")); cfg.PubSubTopic != "" {
		if _, err := gcppub.Project(cfg.PubSubTopic); err != nil {
			p.fail("PUBSUB_TOPIC", "%q is not a topic name projects/<project>/topics/<id>", cfg.PubSubTopic)
		}
	}
	cfg.InlinePublishTimeout = p.duration("INLINE_PUBLISH_TIMEOUT", 2*time.Second, 0, time.Minute)
	cfg.MaxEventBytes = p.int("MAX_EVENT_BYTES", 256<<10, 1<<10, 16<<20)
	cfg.Mode = Mode(p.oneOf("APP_MODE", string(detectMode(getenv)), string(ModeServer), string(ModeLambda), string(ModeGCF)))
	cfg.Module = strings.TrimSpace(getenv("APP_MODULE"))
	if cfg.Mode == ModeGCF && cfg.Module == "" {
		cfg.Module = strings.TrimSuffix(strings.TrimSuffix(cfg.FunctionTarget, "-events"), "-relay")
	}
	if cfg.Mode != ModeServer && !slices.Contains(Modules, cfg.Module) {
		name := "APP_MODULE"
		if cfg.Mode == ModeGCF && getenv("APP_MODULE") == "" {
			name = "FUNCTION_TARGET"
		}
		p.fail(name, "%s mode runs one module; %q is not one of %s", cfg.Mode, cfg.Module, strings.Join(Modules, ", "))
	}
	cfg.EventKeys = p.eventKeys(cfg.Mode, cfg.BusKind)
	cfg.Notifications = p.notifications()
	return cfg, errors.Join(p.errs...)
}

// notifications reads where notifications are delivered: POSTed to the
// webhook at NOTIFY_WEBHOOK_URL, through a timeout and a circuit breaker,
// or, without it, written to the log.
func (p *parser) notifications() notifications.Config {
	w := webhook.Config{
		URL:      strings.TrimSpace(p.getenv("NOTIFY_WEBHOOK_URL")),
		Secret:   p.getenv("NOTIFY_WEBHOOK_SECRET"),
		Timeout:  p.duration("NOTIFY_WEBHOOK_TIMEOUT", 5*time.Second, 100*time.Millisecond, time.Minute),
		Failures: p.int("NOTIFY_WEBHOOK_BREAKER_FAILURES", 5, 1, 1000),
		OpenFor:  p.duration("NOTIFY_WEBHOOK_BREAKER_OPEN", 30*time.Second, time.Second, time.Hour),
	}
	switch {
	case w.URL != "":
		if err := w.Validate(); err != nil {
			// Not quoted: a webhook URL often carries its token.
			p.fail("NOTIFY_WEBHOOK_URL", "is not an absolute http or https URL")
		}
	case w.Secret != "":
		p.fail("NOTIFY_WEBHOOK_SECRET", "signs what is posted to NOTIFY_WEBHOOK_URL, which is not set")
	}
	return notifications.Config{Webhook: w}
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

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

func (p *parser) str(name, def string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return def
}

// listenAddr reads an optional host:port to listen on, or one of the
// keywords; the host may be empty (every interface), the port must be 1–65535.
func (p *parser) listenAddr(name string, keywords ...string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" || slices.Contains(keywords, strings.ToLower(v)) {
		return strings.ToLower(v)
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		p.fail(name, "%q is not host:port with a port from 1 to 65535, e.g. 127.0.0.1:9090%s", v, orKeywords(keywords))
		return ""
	}
	return v
}

func orKeywords(keywords []string) string {
	if len(keywords) == 0 {
		return ""
	}
	return ", or " + strings.Join(keywords, ", ")
}

func (p *parser) int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, "%q is not a whole number from %d to %d", v, lo, hi)
		return def
	}
	return n
}

// tracesExported reads the standard OpenTelemetry switches; only the OTLP
// exporter is built in.
func (p *parser) tracesExported() bool {
	if strings.EqualFold(strings.TrimSpace(p.getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	switch p.oneOf("OTEL_TRACES_EXPORTER", "", "otlp", "none") {
	case "otlp":
		return true
	case "none":
		return false
	}
	return p.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || p.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

func (p *parser) float(name string, def, lo, hi float64) float64 {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= lo && f <= hi) {
		p.fail(name, "%q is not a number from %g to %g", v, lo, hi)
		return def
	}
	return f
}

// networks reads a comma-separated list of CIDR ranges or single addresses.
func (p *parser) networks(name string) []*net.IPNet {
	var out []*net.IPNet
	for _, part := range strings.Split(p.getenv(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if ip := net.ParseIP(part); ip != nil {
			bits := 128
			if ip.To4() != nil {
				bits = 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			p.fail(name, "%q is not an address or CIDR range like 10.0.0.0/8", part)
			continue
		}
		out = append(out, n)
	}
	return out
}

func (p *parser) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		p.fail(name, "%q is not a duration from %s to %s (like 30s or 5m)", v, lo, hi)
		return def
	}
	return d
}

func (p *parser) level(name string, def slog.Level) slog.Level {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, "%q is not one of debug, info, warn, error", v)
		return def
	}
	return l
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(strings.TrimSpace(p.getenv(name)))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "%q is not one of %s", v, strings.Join(allowed, ", "))
	return def
}

// DatabaseURL is where a module's PostgreSQL schema lives, and the variable
// that said so, for error messages.
type DatabaseURL struct {
	URL      string
	Variable string
}

// eventKeys reads EVENT_SIGNING_KEYS and EVENT_CLOCK_SKEW. Unset, it is
// nil: a server on the in-process bus generates its own keys, but processes
// that pass events to one another must share theirs.
func (p *parser) eventKeys(mode Mode, bus string) *messaging.Keys {
	skew := p.duration("EVENT_CLOCK_SKEW", messaging.DefaultClockSkew, time.Second, time.Hour)
	v := p.getenv("EVENT_SIGNING_KEYS")
	if strings.TrimSpace(v) == "" {
		if mode != ModeServer || bus != "inprocess" {
			p.fail("EVENT_SIGNING_KEYS", "%s needs the keys every process that passes events shares, "+
				"<module>/<key name>=<secret>,… (at least %d bytes each)", describeEventPath(mode), messaging.MinKeyLen)
		}
		return nil
	}
	keys, err := messaging.ParseKeys(v)
	if err != nil {
		p.fail("EVENT_SIGNING_KEYS", "%v", err)
		return nil
	}
	keys.ClockSkew = skew
	return keys
}

func describeEventPath(mode Mode) string {
	if mode == ModeServer {
		return "BUS=nats"
	}
	return string(mode) + " mode"
}

// DatabaseVariable names the variable that moves module to a database of
// its own.
func DatabaseVariable(module string) string {
	return strings.ToUpper(module) + "_DATABASE_URL"
}

// databaseURLs reads DATABASE_URL and each module's override. A URL is
// checked here for its form only; whether the server answers is found out
// at start-up, and either error names the variable.
func (p *parser) databaseURLs(modules []string) map[string]DatabaseURL {
	urls := map[string]DatabaseURL{}
	shared := p.postgresURL("DATABASE_URL")
	for _, m := range modules {
		if u := p.postgresURL(DatabaseVariable(m)); u != "" {
			urls[m] = DatabaseURL{URL: u, Variable: DatabaseVariable(m)}
		} else if shared != "" {
			urls[m] = DatabaseURL{URL: shared, Variable: "DATABASE_URL"}
		}
	}
	return urls
}

func (p *parser) postgresURL(name string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return ""
	}
	// Never quote the value: it carries a password.
	if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		p.fail(name, "must be a postgres:// or postgresql:// URL")
		return ""
	}
	if _, err := pgx.ParseConfig(v); err != nil {
		p.fail(name, "is not a valid PostgreSQL URL")
		return ""
	}
	return v
}

func validStream(name string) bool {
	for _, r := range name {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return name != "" && len(name) <= 64
}
