package httpapi

import (
	"time"

	"example.com/modmono/modules/users/internal/app"
)

// The API's formats: what a request carries and a response holds, as the
// module's OpenAPI document (openapi.json) describes them.

// registerRequest is the body of POST /v1/users.
type registerRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// loginRequest is the body of POST /v1/auth/token.
type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// tokenResponse is what POST /v1/auth/token returns.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// addressJSON is a postal address: the body of PUT /v1/users/me/address,
// and the address of an account.
type addressJSON struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// userResponse is an account as every users endpoint returns it.
type userResponse struct {
	ID        string       `json:"id"`
	Email     string       `json:"email"`
	Name      string       `json:"name"`
	Address   *addressJSON `json:"address,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
}

func toRegister(r registerRequest) app.Register {
	return app.Register{Email: r.Email, Password: r.Password, Name: r.Name}
}

func toAddress(r addressJSON) app.Address {
	return app.Address{Line1: r.Line1, Line2: r.Line2, City: r.City, PostalCode: r.PostalCode, Country: r.Country}
}

func toResponse(u app.User) userResponse {
	r := userResponse{ID: u.ID, Email: u.Email, Name: u.Name, CreatedAt: u.CreatedAt}
	if a := u.Address; a != nil {
		r.Address = &addressJSON{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Country: a.Country}
	}
	return r
}

func toTokenResponse(t app.Token) tokenResponse {
	return tokenResponse{AccessToken: t.AccessToken, TokenType: "Bearer", ExpiresIn: int64(t.ExpiresIn.Seconds())}
}
