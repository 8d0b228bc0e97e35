package httpapi

import (
	"time"

	"example.com/modmono/modules/notifications/internal/app"
)

// The API's formats: what a response holds, as the module's OpenAPI
// document (openapi.json) describes it.

// notificationResponse is a notification as GET /v1/notifications lists
// it: without the recipient's contact details, which the user knows.
type notificationResponse struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	EventID   string    `json:"event_id"`
}

func toResponse(n app.Notification) notificationResponse {
	return notificationResponse{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreatedAt: n.CreatedAt, EventID: n.EventID}
}
