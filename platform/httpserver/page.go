package httpserver

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/cursor"
)

// Page is one page of a keyset-paginated list.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListPage answers a "?limit=&cursor=" request for a list ordered by a
// position (newest first), its cursors signed by cursors for the request's
// route, so that a cursor of one list is refused by another. fetch returns
// up to n rows after the position before (0: from the start); seq gives a
// row's position; render shapes a row for the response.
func ListPage[R, T any](c echo.Context, cursors *cursor.Signer, fetch func(before int64, n int) ([]R, error), seq func(R) int64, render func(R) T) error {
	q, err := Query(c)
	if err != nil {
		return err
	}
	list := c.Path()
	p, err := cursors.ParsePage(list, q.Get("limit"), q.Get("cursor"))
	if err != nil {
		return err
	}
	rows, err := fetch(p.Before, p.Limit+1) // one more tells whether a next page exists
	if err != nil {
		return err
	}
	more := len(rows) > p.Limit
	rows = rows[:min(len(rows), p.Limit)]
	page := Page[T]{Items: make([]T, len(rows))}
	for i, r := range rows {
		page.Items[i] = render(r)
	}
	if len(rows) > 0 {
		page.NextCursor = cursors.Next(list, more, seq(rows[len(rows)-1]))
	}
	return c.JSON(http.StatusOK, page)
}
