// Package httpapi is the orders module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
)

// Routes lists every orders endpoint; all need a signed-in user whose
// deletion the module has not applied.
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, cursors *cursor.Signer) {
	g := e.Group("/v1/orders", tokens.Require, auth.Admit(svc.AccountOpen))
	g.POST("", placeOrder(svc))
	g.GET("", listOrders(svc, cursors))
	g.GET("/:id", getOrder(svc))
	g.POST("/:id/cancel", cancelOrder(svc))
}
