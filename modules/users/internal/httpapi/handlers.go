package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/httpserver"
)

type userResponse struct {
	ID        string       `json:"id"`
	Email     string       `json:"email"`
	Name      string       `json:"name"`
	Address   *app.Address `json:"address,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
}

func toResponse(u app.User) userResponse {
	return userResponse{ID: u.ID, Email: u.Email, Name: u.Name, Address: u.Address, CreatedAt: u.CreatedAt}
}

func register(svc *app.Service) echo.HandlerFunc {
	type request struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	return func(c echo.Context) error {
		var req request
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		u, err := svc.Register(c.Request().Context(), app.Register(req))
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/v1/users/me") // the account, once logged in
		return c.JSON(http.StatusCreated, toResponse(u))
	}
}

func login(svc *app.Service) echo.HandlerFunc {
	type request struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	type response struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	return func(c echo.Context) error {
		var req request
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		tok, err := svc.Login(c.Request().Context(), req.Email, req.Password)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSON(http.StatusOK, response{AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: int64(tok.ExpiresIn.Seconds())})
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
		var req app.Address
		if err := httpserver.Bind(c, &req); err != nil {
			return err
		}
		u, err := svc.SetAddress(c.Request().Context(), auth.UserID(c), req)
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
