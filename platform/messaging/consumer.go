package messaging

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// Consumer runs one module's Processor on a Watermill router fed by a bus.
type Consumer struct {
	router *message.Router
}

// NewConsumer subscribes p's handlers to sub, the bus's subscriber of p's
// module, which the Consumer closes when it stops.
func NewConsumer(p *Processor, sub message.Subscriber) (*Consumer, error) {
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: p.cfg.CloseTimeout}, WatermillLogger(p.logger))
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", p.module, err)
	}
	router.AddMiddleware(p.middlewares()...)
	for _, topic := range p.Topics() {
		router.AddConsumerHandler(p.module+"."+topic, topic, sub, p.apply(p.handlers[topic]))
	}
	return &Consumer{router: router}, nil
}

// Run consumes until ctx is done or Close is called.
func (c *Consumer) Run(ctx context.Context) error { return c.router.Run(ctx) }

// Running is closed once every handler is subscribed.
func (c *Consumer) Running() chan struct{} { return c.router.Running() }

// Close stops consuming after the messages in flight.
func (c *Consumer) Close() error { return c.router.Close() }

// WatermillLogger adapts logger for Watermill, whose routine info lines
// (handlers starting, stopping) are demoted to debug.
func WatermillLogger(logger *slog.Logger) watermill.LoggerAdapter {
	return watermill.NewSlogLoggerWithLevelMapping(logger, map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}
