// Package httpapi is the notifications module's HTTP surface.
package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/httpserver"
)

// Routes lists every notifications endpoint; all need a signed-in user.
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens) {
	e.GET("/v1/notifications", listNotifications(svc), tokens.Require)
}

type notificationResponse struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
	EventID   string    `json:"event_id"`
}

func listNotifications(svc *app.Service) echo.HandlerFunc {
	type response struct {
		Items      []notificationResponse `json:"items"`
		NextCursor string                 `json:"next_cursor,omitempty"`
	}
	return func(c echo.Context) error {
		q, err := httpserver.Query(c)
		if err != nil {
			return err
		}
		page, err := cursor.ParsePage(q.Get("limit"), q.Get("cursor"))
		if err != nil {
			return err
		}
		ns, more, err := svc.List(c.Request().Context(), auth.UserID(c), page.Before, page.Limit)
		if err != nil {
			return err
		}
		res := response{Items: make([]notificationResponse, len(ns))}
		for i, n := range ns {
			res.Items[i] = notificationResponse{ID: n.ID, Kind: n.Kind, Subject: n.Subject, Body: n.Body,
				CreatedAt: n.CreatedAt, EventID: n.EventID}
		}
		if len(ns) > 0 {
			res.NextCursor = cursor.Next(more, ns[len(ns)-1].Seq)
		}
		return c.JSON(http.StatusOK, res)
	}
}
