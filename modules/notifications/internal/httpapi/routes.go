// Package httpapi is the notifications module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/notifications/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
)

// Routes lists every notifications endpoint; all need a signed-in user
// whose deletion the module has not applied, checked on the route (not a
// group, whose catch-all would answer a wrong method with 401, not 405).
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, cursors *cursor.Signer) {
	e.GET("/v1/notifications", listNotifications(svc, cursors), tokens.Require, auth.Admit(svc.AccountOpen))
}
