package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"example.com/modmono/modules/users/internal/app"
	"example.com/modmono/platform/apperror"
	"example.com/modmono/platform/sqldb"
)

// Accounts made before e-mail addresses had one canonical form were stored
// trimmed and lower-cased as typed; they still sign in, and still count as
// taken.
func TestAnAddressStoredBeforeTheCanonicalFormStillSignsInAndIsTaken(t *testing.T) {
	svc, db := newService(t)
	ctx := context.Background()
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse"), 4)
	if err != nil {
		t.Fatal(err)
	}
	at := sqldb.Time(time.Now())
	_, err = db.Write.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6)`, "0190a0b2-7c3e-7000-8000-000000000001", "ada@xn--bcher-kva.de", "Ada", string(hash), at, at)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := svc.Login(ctx, "Ada@XN--BCHER-KVA.DE", "correct horse"); err != nil {
		t.Errorf("login as typed at sign-up: %v", err)
	}
	_, err = svc.Register(ctx, app.Register{Email: "ada@xn--bcher-kva.de", Password: "another one", Name: "Eve"})
	var e *apperror.Error
	if !errors.As(err, &e) || e.Kind != apperror.Conflict {
		t.Errorf("signing up again as typed then: %v, want a conflict", err)
	}
}

func TestLoginCanonicalisesTheAddressAsSignUpDid(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	u := register(t, svc, "Ada@Bücher.DE")
	if u.Email != "ada@bücher.de" {
		t.Fatalf("stored as %q, want ada@bücher.de", u.Email)
	}
	for _, typed := range []string{"ada@bücher.de", "ADA@BÜCHER.DE", "ada@xn--bcher-kva.de", " Ada@Bücher.de "} {
		if _, err := svc.Login(ctx, typed, "correct horse"); err != nil {
			t.Errorf("login as %q: %v", typed, err)
		}
	}
}
