// Package httpapi is the orders module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
)

// Routes lists every orders endpoint; all need a signed-in user whose
// deletion the module has not applied. The check is on each route, not on
// a group: Echo gives a group with middleware a catch-all route, which
// would answer a wrong method or an unknown path with 401 (or 404)
// where the router answers 405 or 404 before anyone is asked for a token.
// Placing an order checks the account itself (see placeOrder), which spares
// each order a read.
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, cursors *cursor.Signer) {
	signedIn := []echo.MiddlewareFunc{tokens.Require, auth.Admit(svc.AccountOpen)}
	e.POST("/v1/orders", placeOrder(svc), tokens.Require)
	e.GET("/v1/orders", listOrders(svc, cursors), signedIn...)
	e.GET("/v1/orders/:id", getOrder(svc), signedIn...)
	e.POST("/v1/orders/:id/cancel", cancelOrder(svc), signedIn...)
}
