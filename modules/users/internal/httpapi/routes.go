// Package httpapi is the users module's HTTP surface.
package httpapi

import (
	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/auth"
)

// Routes lists every users endpoint.
func Routes(e *echo.Echo, svc *app.Service, tokens *auth.Tokens) {
	e.POST("/v1/users", register(svc))
	e.POST("/v1/auth/token", login(svc))

	me := e.Group("/v1/users/me", tokens.Require)
	me.GET("", getMe(svc))
	me.PUT("/address", putAddress(svc))
	me.DELETE("", deleteMe(svc))
}
