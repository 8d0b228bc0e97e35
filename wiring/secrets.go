package wiring

import (
	"context"

	"example.com/modmono/platform/secrets"
)

// SecretVariables are the settings that hold secrets. Each may instead be
// kept in a file, SSM Parameter Store or Secrets Manager, and the
// environment hold only its name there: NAME_FILE, NAME_SSM_PARAMETER or
// NAME_SECRET_ID (platform/secrets).
func SecretVariables() []string {
	names := []string{"JWT_SECRET", "EVENT_SIGNING_KEYS", "DATABASE_URL"}
	for _, c := range catalog {
		for _, s := range c.settings {
			if s.Secret {
				names = append(names, s.Name)
			}
		}
	}
	for _, m := range Modules {
		names = append(names, DatabaseVariable(m))
	}
	return names
}

// ResolveSecrets returns getenv with every secret setting kept elsewhere
// read, once, for LoadConfig. A function calls it at its cold start, so an
// execution environment reads its secrets once. The error names each
// variable that could not be read.
func ResolveSecrets(ctx context.Context, getenv func(string) string) (func(string) string, error) {
	return secrets.Resolve(ctx, getenv, SecretVariables())
}
