package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/httpserver"
)

func register(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req registerRequest
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		u, err := svc.Register(c.Request().Context(), toRegister(req))
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/v1/users/me") // the account, once logged in
		return c.JSON(http.StatusCreated, toResponse(u))
	}
}

func login(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req loginRequest
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		tok, err := svc.Login(c.Request().Context(), req.Email, req.Password)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, toTokenResponse(tok))
	}
}

func getMe(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		u, err := svc.Me(c.Request().Context(), auth.UserID(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toResponse(u))
	}
}

func putAddress(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req addressJSON
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		u, err := svc.SetAddress(c.Request().Context(), auth.UserID(c), toAddress(req))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toResponse(u))
	}
}

func deleteMe(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := svc.Delete(c.Request().Context(), auth.UserID(c)); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	}
}
