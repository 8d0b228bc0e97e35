package app

import (
	"strings"

	"example.com/modmono/platform/validate"
)

// Address is a user's postal address. It is the module's own notion; the
// store, the HTTP API and the events each map it to their format.
type Address struct {
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Country    string
}

// validate normalises a in place (trimmed lines, an upper-case country) and
// says what is wrong with it, naming each field as a request body does.
func (a *Address) validate() error {
	var v validate.Validator
	v.Text("line1", &a.Line1, 1, 200)
	v.Text("line2", &a.Line2, 0, 200)
	v.Text("city", &a.City, 1, 100)
	v.Text("postal_code", &a.PostalCode, 1, 20)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	v.Check(validate.IsCountry(a.Country), "country", "must be an ISO 3166-1 alpha-2 country code, like DE or US")
	return v.Err()
}
