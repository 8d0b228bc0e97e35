package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"example.com/modmono/modules/users/internal/app"
)

func TestRequestBodiesMapToTheirCommands(t *testing.T) {
	var reg registerRequest
	if err := json.Unmarshal([]byte(`{"email":"ada@example.com","password":"correct horse","name":"Ada"}`), &reg); err != nil {
		t.Fatal(err)
	}
	if got := toRegister(reg); got != (app.Register{Email: "ada@example.com", Password: "correct horse", Name: "Ada"}) {
		t.Errorf("sign-up maps to %+v", got)
	}
	var addr addressJSON
	body := `{"line1":"1 Main St","line2":"Flat 4","city":"Berlin","postal_code":"10115","country":"DE"}`
	if err := json.Unmarshal([]byte(body), &addr); err != nil {
		t.Fatal(err)
	}
	want := app.Address{Line1: "1 Main St", Line2: "Flat 4", City: "Berlin", PostalCode: "10115", Country: "DE"}
	if got := toAddress(addr); got != want {
		t.Errorf("address maps to %+v, want %+v", got, want)
	}
}

func TestAnAccountRendersAsTheAPIDocumentsIt(t *testing.T) {
	u := app.User{ID: "u1", Email: "ada@example.com", Name: "Ada", PasswordHash: "secret",
		CreatedAt: time.Date(2026, 11, 22, 10, 0, 0, 5, time.UTC)}
	tests := []struct {
		name string
		addr *app.Address
		want string
	}{
		{"without an address", nil,
			`{"id":"u1","email":"ada@example.com","name":"Ada","created_at":"2026-11-22T10:00:00.000000005Z"}`},
		{"with an address without a second line", &app.Address{Line1: "1 Main St", City: "Berlin", PostalCode: "10115", Country: "DE"},
			`{"id":"u1","email":"ada@example.com","name":"Ada","address":{"line1":"1 Main St","city":"Berlin",` +
				`"postal_code":"10115","country":"DE"},"created_at":"2026-11-22T10:00:00.000000005Z"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u.Address = tc.addr
			b, err := json.Marshal(toResponse(u))
			if err != nil || string(b) != tc.want {
				t.Errorf("rendered\n%s\nwant\n%s (err %v)", b, tc.want, err)
			}
		})
	}
}

func TestATokenRendersAsTheAPIDocumentsIt(t *testing.T) {
	b, err := json.Marshal(toTokenResponse(app.Token{AccessToken: "tok", ExpiresIn: 90 * time.Minute}))
	want := `{"access_token":"tok","token_type":"Bearer","expires_in":5400}`
	if err != nil || string(b) != want {
		t.Errorf("rendered %s, want %s (err %v)", b, want, err)
	}
}
