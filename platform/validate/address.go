package validate

import "strings"

// Address is a postal address as requests carry it.
//
// A postal address is a business notion, which each module owns
// (orders has app.Address, validated with Text and IsCountry). Only users
// still uses this type, until it owns its address too; then it goes.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Address normalises a in place and checks every part; prefix names the
// field holding it ("" for a top-level body, "shipping_address." nested).
func (v *Validator) Address(prefix string, a *Address) {
	v.Text(prefix+"line1", &a.Line1, 1, 200)
	v.Text(prefix+"line2", &a.Line2, 0, 200)
	v.Text(prefix+"city", &a.City, 1, 100)
	v.Text(prefix+"postal_code", &a.PostalCode, 1, 20)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	v.Check(IsCountry(a.Country), prefix+"country", "must be an ISO 3166-1 alpha-2 country code, like DE or US")
}
