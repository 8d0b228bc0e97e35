// Package httpapi is the users module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/auth"
)

// Routes lists every users endpoint. Sign-up and login hash a password,
// which costs much CPU on purpose: they go through expensive, a stricter
// rate limit. The others take the token of a user whose account exists.
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, expensive echo.MiddlewareFunc) {
	e.POST("/v1/users", register(svc), expensive)
	e.POST("/v1/auth/token", login(svc), expensive)

	me := e.Group("/v1/users/me", tokens.Require, auth.Admit(svc.AccountOpen))
	me.GET("", getMe(svc))
	me.PUT("/address", putAddress(svc))
	me.DELETE("", deleteMe(svc))
}
