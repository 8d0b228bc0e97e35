package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/httpserver"
)

// listNotifications answers GET /v1/notifications: a page of the signed-in
// user's notifications, newest first.
func listNotifications(svc *app.Service, cursors *cursor.Signer) echo.HandlerFunc {
	return func(c echo.Context) error {
		fetch := func(before int64, n int) ([]app.Notification, error) {
			return svc.List(c.Request().Context(), auth.UserID(c), before, n)
		}
		return httpserver.ListPage(c, cursors, fetch, func(n app.Notification) int64 { return n.Seq }, toResponse)
	}
}
