// Package notifications is the notifications module: it turns users and
// orders events into stored notifications, hands each to a Sender, and lets
// a user list their own. It publishes no events.
package notifications

import (
	_ "embed"

	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/migrations"
	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/modules/notifications/internal/httpapi"
	"example.com/modmono/modules/notifications/internal/store"
	"example.com/modmono/platform/messaging"
	"example.com/modmono/platform/modular"
	"example.com/modmono/platform/sqldb"
	"example.com/modmono/platform/sqlpubsub"
	"example.com/modmono/platform/webhook"
)

// Name is the module's name: its database, its migrations folder, its
// function.
const Name = "notifications"

// Sender delivers notifications; see LogSender for the default.
type Sender = app.Sender

// Notification is what a Sender delivers.
type Notification = app.Notification

// LogSender delivers notifications as structured log lines.
type LogSender = app.LogSender

// Config tunes the module.
type Config struct {
	// Sender delivers stored notifications. Default: a webhook's when
	// Webhook.URL is set, else a LogSender on the module's logger.
	Sender Sender
	// Webhook, when its URL is set, is where notifications are delivered:
	// each POSTed as JSON, through a timeout and a circuit breaker
	// (webhook.Config documents the defaults). Its Name defaults to
	// "notifications-webhook", its Logger to the module's.
	Webhook webhook.Config
	// SendRetry is the wait after a failed delivery, doubled after each
	// further one up to a minute (or SendRetry, if longer). Default: 1s.
	SendRetry time.Duration
}

// sender is cfg's Sender, and the webhook client it posts through, if any.
func (cfg Config) sender(logger *slog.Logger) (Sender, *webhook.Client, error) {
	switch {
	case cfg.Sender != nil:
		return cfg.Sender, nil, nil
	case cfg.Webhook.URL == "":
		return LogSender{Logger: logger}, nil, nil
	}
	w := cfg.Webhook
	if w.Name == "" {
		w.Name = Name + "-webhook"
	}
	if w.Logger == nil {
		w.Logger = logger
	}
	client, err := webhook.New(w)
	if err != nil {
		return nil, nil, err
	}
	return app.WebhookSender{Client: client}, client, nil
}

//go:embed openapi.json
var openAPI []byte

// Module is what the wiring sees of notifications.
type Module struct {
	deps    modular.Deps
	svc     *app.Service
	webhook *webhook.Client // nil unless notifications go to a webhook
}

var _ modular.Module = (*Module)(nil)

// New returns the module working on its own database.
func New(deps modular.Deps, cfg Config) (*Module, error) {
	sender, client, err := cfg.sender(deps.Logger)
	if err != nil {
		return nil, err
	}
	queue, err := sendQueue(deps, cfg)
	if err != nil {
		return nil, err
	}
	svc := app.New(store.New(deps.DB), queue, sender)
	m := &Module{deps: deps, svc: svc, webhook: client}
	return m, nil
}

// sendQueue is the stored notifications as the Sender gets them: in order,
// by one process at a time (sqlpubsub.Follower). This process's commits
// wake it; notifications other processes store wait for its poll, as a
// NOTIFY per notification would serialise PostgreSQL's commits. After a
// wake-up it lingers briefly, so that a burst is sent in one batch.
func sendQueue(deps modular.Deps, cfg Config) (*sqlpubsub.Follower[app.Notification], error) {
	wake := &sqlpubsub.Signal{}
	deps.DB.OnCommit(wake.Notify)
	return sqlpubsub.NewFollower(sqlpubsub.FollowerConfig{
		DB: deps.DB, Name: Name + "/sender", Signal: wake, Linger: 20 * time.Millisecond,
		Retry: cfg.SendRetry, MaxRetry: max(cfg.SendRetry, time.Minute), Logger: deps.Logger,
	}, store.Unsent())
}

// Name returns the module's name.
func (m *Module) Name() string { return Name }

// RegisterRoutes adds the module's endpoints to e.
func (m *Module) RegisterRoutes(e *echo.Echo) {
	httpapi.Routes(e, m.svc, m.deps.Tokens, m.deps.Cursors)
}

// Handlers returns the events the module consumes.
func (m *Module) Handlers() []messaging.Handler { return m.svc.Handlers() }

// Workers hands stored notifications to the Sender.
func (m *Module) Workers() []modular.Worker {
	return []modular.Worker{{Name: "sender", Run: func(ctx context.Context) error {
		return m.svc.Dispatch(ctx)
	}}}
}

// Outbound returns the webhook clients the module calls through, whose
// breakers and calls the metrics report: none unless notifications go to a
// webhook.
func (m *Module) Outbound() []*webhook.Client {
	if m.webhook == nil {
		return nil
	}
	return []*webhook.Client{m.webhook}
}

// Migrations is the history of the notifications schema.
func (m *Module) Migrations() sqldb.Migrations { return migrations.Of(Name) }

// OpenAPI is the module's part of the OpenAPI document: its paths and
// schemas.
func (m *Module) OpenAPI() []byte { return openAPI }

// DB is the module's own database.
func (m *Module) DB() *sqldb.DB { return m.deps.DB }
