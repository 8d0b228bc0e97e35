// Package httpapi is the notifications module's HTTP surface.
package httpapi

import (
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/httpserver"
)

// Routes lists every notifications endpoint; all need a signed-in user
// whose deletion the module has not applied, checked on the route (not a
// group, whose catch-all would answer a wrong method with 401, not 405).
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, cursors *cursor.Signer) {
	e.GET("/v1/notifications", listNotifications(svc, cursors), tokens.Require, auth.Admit(svc.AccountOpen))
}

type notificationResponse struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	EventID   string    `json:"event_id"`
}

func listNotifications(svc *app.Service, cursors *cursor.Signer) echo.HandlerFunc {
	return func(c echo.Context) error {
		fetch := func(before int64, n int) ([]app.Notification, error) {
			return svc.List(c.Request().Context(), auth.UserID(c), before, n)
		}
		return httpserver.ListPage(c, cursors, fetch, func(n app.Notification) int64 { return n.Seq }, toResponse)
	}
}

func toResponse(n app.Notification) notificationResponse {
	return notificationResponse{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body, CreatedAt: n.CreatedAt, EventID: n.EventID}
}
