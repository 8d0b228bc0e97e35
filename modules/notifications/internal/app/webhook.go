package app

import (
	"context"
	"encoding/json"
	"time"

	"example.com/modmono/platform/webhook"
)

// WebhookSender delivers each notification as a JSON document POSTed to a
// webhook (an e-mail or push provider's, or a gateway of one's own), through
// the client's timeout and circuit breaker. A failed post leaves the
// notification unsent: Dispatch retries it, with backoff, in order.
type WebhookSender struct{ Client *webhook.Client }

// webhookBody is the document a webhook receives: the notification and its
// recipient, keyed by the notification's id, which a repeat carries again.
type webhookBody struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	UserID    string    `json:"user_id"`
	Email     string    `json:"email,omitempty"`
	Name      string    `json:"name,omitempty"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	EventID   string    `json:"event_id"`
	CreatedAt time.Time `json:"created_at"`
}

func toWebhookBody(n Notification) webhookBody {
	return webhookBody{ID: n.ID, Kind: n.Kind, UserID: n.UserID, Email: n.Email, Name: n.Name,
		Subject: n.Subject, Body: n.Body, EventID: n.EventID, CreatedAt: n.CreatedAt.UTC()}
}

// Send posts n.
func (s WebhookSender) Send(ctx context.Context, n Notification) error {
	body, err := json.Marshal(toWebhookBody(n))
	if err != nil {
		return err
	}
	return s.Client.Post(ctx, n.ID, body)
}
