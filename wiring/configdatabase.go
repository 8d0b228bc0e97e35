package wiring

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"example.com/modmono/platform/settings"
)

// DatabaseURL is where a module's PostgreSQL schema lives, and the variable
// that said so, for error messages.
type DatabaseURL struct {
	URL      string
	Variable string
}

// DatabaseVariable names the variable that moves module to a database of
// its own.
func DatabaseVariable(module string) string {
	return strings.ToUpper(module) + "_DATABASE_URL"
}

// databaseURLs reads DATABASE_URL and each module's override. A URL is
// checked here for its form only; whether the server answers is found out
// at start-up, and either error names the variable.
func databaseURLs(p *settings.Parser, modules []string) map[string]DatabaseURL {
	urls := map[string]DatabaseURL{}
	shared := postgresURL(p, "DATABASE_URL")
	for _, m := range modules {
		if u := postgresURL(p, DatabaseVariable(m)); u != "" {
			urls[m] = DatabaseURL{URL: u, Variable: DatabaseVariable(m)}
		} else if shared != "" {
			urls[m] = DatabaseURL{URL: shared, Variable: "DATABASE_URL"}
		}
	}
	return urls
}

// postgresURL reads name, a PostgreSQL URL or nothing.
func postgresURL(p *settings.Parser, name string) string {
	v := strings.TrimSpace(p.Getenv(name))
	if v == "" {
		return ""
	}
	// Never quote the value: it carries a password.
	if !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		p.Fail(name, "must be a postgres:// or postgresql:// URL")
		return ""
	}
	if _, err := pgx.ParseConfig(v); err != nil {
		p.Fail(name, "is not a valid PostgreSQL URL")
		return ""
	}
	return v
}
