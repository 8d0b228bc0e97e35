package httpserver_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/httpserver"
)

type bindLine struct {
	SKU string `json:"sku"`
}

type bindAddress struct {
	Line1 string `json:"line1"`
}

type bindBody struct {
	Name    string            `json:"name"`
	Lines   []bindLine        `json:"items"`
	Address *bindAddress      `json:"shipping_address"`
	Labels  map[string]string `json:"labels"`
	Extra   any               `json:"extra"`
	Skipped string            `json:"-"`
}

// invalidFields returns the fields err names, or fails when err is not
// an Invalid *apperror.Error.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	var e *apperror.Error
	if !errors.As(err, &e) || e.Kind != apperror.Invalid {
		t.Fatalf("error %v, want an Invalid *apperror.Error", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	slices.Sort(fields)
	return fields
}

func TestBindRefusesNULInEveryStringNamingTheField(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{`{"name":"a\u0000b"}`, []string{"name"}},
		{`{"items":[{"sku":"ok"},{"sku":"\u0000"}]}`, []string{"items[1].sku"}},
		{`{"shipping_address":{"line1":"1 Main St\u0000"}}`, []string{"shipping_address.line1"}},
		{`{"labels":{"k":"v\u0000"}}`, []string{"labels.k"}},
		{`{"extra":{"deep":["\u0000"]}}`, []string{"extra.deep[0]"}},
		{`{"name":"\u0000","shipping_address":{"line1":"\u0000"}}`, []string{"name", "shipping_address.line1"}},
	}
	for _, tc := range tests {
		c := echo.New().NewContext(jsonRequest(tc.body), httptest.NewRecorder())
		var dst bindBody
		if got := invalidFields(t, httpserver.Bind(c, &dst)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.body, got, tc.want)
		}
	}
	t.Run("text without NUL binds", func(t *testing.T) {
		c := echo.New().NewContext(jsonRequest(`{"name":"Zoë \u202e","items":[{"sku":"A"}]}`), httptest.NewRecorder())
		var dst bindBody
		if err := httpserver.Bind(c, &dst); err != nil {
			t.Fatal(err)
		}
	})
}

func TestQueryRefusesNULNamingTheParameter(t *testing.T) {
	req := httptest.NewRequest("GET", "/x?limit=5&cursor=ab%00cd", nil)
	c := echo.New().NewContext(req, httptest.NewRecorder())
	_, err := httpserver.Query(c)
	if got := invalidFields(t, err); !slices.Equal(got, []string{"cursor"}) {
		t.Errorf("fields %v, want [cursor]", got)
	}
}

func jsonRequest(body string) *http.Request {
	req := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestBindRefusesNullEverywhereNamingTheMember(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{`{"name":null}`, []string{"name"}},
		{`{"shipping_address":null}`, []string{"shipping_address"}},
		{`{"items":[{"sku":"A"},{"sku":null}]}`, []string{"items[1].sku"}},
		{`{"items":[null]}`, []string{"items[0]"}},
		{`{"extra":{"deep":[1,null]},"labels":{"k":null}}`, []string{"extra.deep[1]", "labels.k"}},
	}
	for _, tc := range tests {
		c := echo.New().NewContext(jsonRequest(tc.body), httptest.NewRecorder())
		var dst bindBody
		if got := invalidFields(t, httpserver.Bind(c, &dst)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.body, got, tc.want)
		}
	}
	t.Run("a body of null is no object", func(t *testing.T) {
		c := echo.New().NewContext(jsonRequest(` null `), httptest.NewRecorder())
		var dst bindBody
		if err := httpserver.Bind(c, &dst); apperror.KindOf(err) != apperror.Invalid {
			t.Fatalf("error %v, want Invalid", err)
		}
	})
}
