// Package httpapi is the users module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/auth"
)

// Routes lists every users endpoint. Sign-up and login hash a password,
// which costs much CPU on purpose: they go through expensive, a stricter
// rate limit. The others take the token of a user whose account exists,
// checked on each route rather than on a group, so that a wrong method or
// an unknown path is the router's 405 or 404, before any token is asked
// for (Echo gives a group with middleware a catch-all route).
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens, expensive echo.MiddlewareFunc) {
	e.POST("/v1/users", register(svc), expensive)
	e.POST("/v1/auth/token", login(svc), expensive)

	signedIn := []echo.MiddlewareFunc{tokens.Require, auth.Admit(svc.AccountOpen)}
	e.GET("/v1/users/me", getMe(svc), signedIn...)
	e.PUT("/v1/users/me/address", putAddress(svc), signedIn...)
	e.DELETE("/v1/users/me", deleteMe(svc), signedIn...)
}
