package app

import (
	"strings"
	"time"

	"example.com/modmono/platform/validate"
)

// Address is a postal address: where an order ships to, and the replica of
// each user's address. It is the module's own notion; the store, the HTTP
// API and the events each map it to their format.
type Address struct {
	Line1      string
	Line2      string
	City       string
	PostalCode string
	Country    string
}

// validate normalises a in place and checks every part into v; prefix names
// the field holding it ("shipping_address.").
func (a *Address) validate(v *validate.Validator, prefix string) {
	v.Text(prefix+"line1", &a.Line1, 1, 200)
	v.Text(prefix+"line2", &a.Line2, 0, 200)
	v.Text(prefix+"city", &a.City, 1, 100)
	v.Text(prefix+"postal_code", &a.PostalCode, 1, 20)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	v.Check(validate.IsCountry(a.Country), prefix+"country", "must be an ISO 3166-1 alpha-2 country code, like DE or US")
}

// ErasedText stands for each line of a shipping address erased with its
// user: line1, city and postal_code read it, line2 is dropped.
const ErasedText = "(erased)"

// Erased returns a without what locates a person: every line reads
// ErasedText, except the country, which the order's bookkeeping needs (the
// place of supply for VAT) and which locates no one. It is still a valid
// Address, so an erased order reads as any other.
func (a Address) Erased() Address {
	return Address{Line1: ErasedText, City: ErasedText, PostalCode: ErasedText, Country: a.Country}
}

// Replica is the module's copy of a user's address, fed by the users
// module's UserAddressUpdated events.
type Replica struct {
	// Held is false until the first address arrives.
	Held      bool
	Address   Address
	UpdatedAt time.Time
}

// Update makes a, as of at, the replicated address, unless the replica
// holds a newer one: events of one user may arrive out of order, and an
// older update delivered late must not win. An update as of the same
// instant replaces the held one. Update reports whether it changed r.
func (r *Replica) Update(a Address, at time.Time) bool {
	if r.Held && at.Before(r.UpdatedAt) {
		return false
	}
	*r = Replica{Held: true, Address: a, UpdatedAt: at}
	return true
}
