package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"example.com/modmono/modules/orders/internal/app"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/auth"
	"example.com/modmono/platform/cursor"
	"example.com/modmono/platform/httpserver"
	"example.com/modmono/platform/validate"
)

// idempotencyKey returns the Idempotency-Key header, "" when absent. Sent,
// it must be sent once and hold 1 to 255 printable ASCII characters
// without spaces: an empty key is not "no key", which would place a
// second order on retry where the client meant to prevent one.
func idempotencyKey(c echo.Context) (string, error) {
	keys := c.Request().Header.Values("Idempotency-Key")
	if len(keys) == 0 {
		return "", nil
	}
	key := keys[0]
	ok := len(keys) == 1 && len(key) >= 1 && len(key) <= 255
	for i := 0; i < len(key) && ok; i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if !ok {
		return "", apperror.InvalidFields(apperror.FieldError{Field: "Idempotency-Key",
			Detail: "must be sent once, holding 1 to 255 printable ASCII characters without spaces"})
	}
	return key, nil
}

// orderID reads the :id path parameter, which must be a UUID.
func orderID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !validate.UUID(id) {
		return "", apperror.InvalidFields(apperror.FieldError{Field: "id", Detail: "must be a UUID"})
	}
	return id, nil
}

// placeOrder's route has no auth.Admit, whose read of the account would
// cost every order a query: the order's transaction refuses a user whose
// deletion the module applied (a trigger, under the user's lock). A request
// that fails, there or before, is asked about the account as Admit would
// have asked, so a deleted user's token is refused as on every other route.
func placeOrder(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		o, replayed, err := place(c, svc)
		if err != nil {
			if open, openErr := svc.AccountOpen(c.Request().Context(), auth.UserID(c)); openErr == nil && !open {
				return auth.Refuse(c)
			}
			return err
		}
		if replayed {
			c.Response().Header().Set("Idempotent-Replayed", "true")
		}
		c.Response().Header().Set(echo.HeaderLocation, "/v1/orders/"+o.ID)
		return c.JSON(http.StatusCreated, toResponse(o))
	}
}

// place reads c's order and places it for c's user.
func place(c echo.Context, svc *app.Service) (app.Order, bool, error) {
	key, err := idempotencyKey(c)
	if err != nil {
		return app.Order{}, false, err
	}
	var req placeOrderRequest
	if err := httpserver.Bind(c, &req); err != nil {
		return app.Order{}, false, err
	}
	return svc.PlaceOnce(c.Request().Context(), auth.UserID(c), toPlaceOrder(req), key)
}

func getOrder(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := orderID(c)
		if err != nil {
			return err
		}
		o, err := svc.Get(c.Request().Context(), auth.UserID(c), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toResponse(o))
	}
}

func listOrders(svc *app.Service, cursors *cursor.Signer) echo.HandlerFunc {
	return func(c echo.Context) error {
		fetch := func(before int64, n int) ([]app.Order, error) {
			return svc.List(c.Request().Context(), auth.UserID(c), before, n)
		}
		return httpserver.ListPage(c, cursors, fetch, func(o app.Order) int64 { return o.Seq }, toResponse)
	}
}

func cancelOrder(svc *app.Service) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := orderID(c)
		if err != nil {
			return err
		}
		o, err := svc.Cancel(c.Request().Context(), auth.UserID(c), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toResponse(o))
	}
}
