// Package secrets reads settings that hold secrets from where they are kept,
// once, before the configuration is parsed, so that the environment holds
// only a secret's name: never its value.
//
// For a secret setting NAME, at most one of these is set:
//
//	NAME                 the value itself (a laptop, a test)
//	NAME_FILE            a file holding it, e.g. a Cloud Run secret volume
//	NAME_SSM_PARAMETER   an AWS Systems Manager parameter (name or ARN), read with decryption
//	NAME_SECRET_ID       an AWS Secrets Manager secret (name or ARN), its string value
//
// Resolve returns a getenv that answers NAME with the value read, so the
// configuration stays the one reader of settings and never learns where a
// value came from. The AWS clients are built only when a setting names an
// AWS store, from the environment's AWS configuration (AWS_REGION, the
// execution role; AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_SECRETS_MANAGER
// point them elsewhere).
package secrets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// The suffixes of the variables that name where a secret is kept.
const (
	FileSuffix           = "_FILE"
	SSMSuffix            = "_SSM_PARAMETER"
	SecretsManagerSuffix = "_SECRET_ID"
)

// Timeout bounds reading all the secrets, retries included: a store that
// does not answer fails the start rather than hang it.
const Timeout = 10 * time.Second

// Resolve reads every secret in names that is kept elsewhere and returns
// getenv answering those names with their values; it reads each once. The
// error names each variable that could not be read, and never a value.
func Resolve(ctx context.Context, getenv func(string) string, names []string) (func(string) string, error) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	aws := &awsStores{}
	values := make([]string, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		src, err := sourceOf(getenv, name)
		if err != nil || src == nil {
			errs[i] = err
			continue
		}
		wg.Go(func() { values[i], errs[i] = src.read(ctx, aws) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	resolved := map[string]string{}
	for i, name := range names {
		if values[i] != "" {
			resolved[name] = values[i]
		}
	}
	return func(key string) string {
		if v, ok := resolved[key]; ok {
			return v
		}
		return getenv(key)
	}, nil
}

// source is where one secret is kept.
type source struct {
	name     string // the setting: JWT_SECRET
	variable string // what named the store: JWT_SECRET_SSM_PARAMETER
	ref      string // the file, parameter or secret
}

// sourceOf finds where the secret name is kept: nil when in the
// environment itself (or nowhere).
func sourceOf(getenv func(string) string, name string) (*source, error) {
	var set []string
	var src *source
	if strings.TrimSpace(getenv(name)) != "" {
		set = append(set, name)
	}
	for _, suffix := range []string{FileSuffix, SSMSuffix, SecretsManagerSuffix} {
		if ref := strings.TrimSpace(getenv(name + suffix)); ref != "" {
			set = append(set, name+suffix)
			src = &source{name: name, variable: name + suffix, ref: ref}
		}
	}
	if len(set) > 1 {
		return nil, fmt.Errorf("%s: set only one of %s", name, strings.Join(set, ", "))
	}
	return src, nil
}

func (s *source) read(ctx context.Context, aws *awsStores) (string, error) {
	var v string
	var err error
	switch {
	case strings.HasSuffix(s.variable, FileSuffix):
		v, err = readFile(s.ref)
	case strings.HasSuffix(s.variable, SSMSuffix):
		v, err = aws.parameter(ctx, s.ref)
	default:
		v, err = aws.secret(ctx, s.ref)
	}
	if err == nil && v == "" {
		err = errors.New("it is empty")
	}
	if err != nil {
		return "", fmt.Errorf("%s: cannot read %q (%s): %w", s.name, s.ref, s.variable, err)
	}
	return v, nil
}

// readFile reads a secret file, less the line end an editor or echo leaves.
func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
