// Package secretstest is a fake of the two AWS secret stores' HTTP APIs, for
// tests: SSM Parameter Store's GetParameter and Secrets Manager's
// GetSecretValue, both AWS JSON 1.1 as the SDK speaks them, counting the
// reads of each name.
package secretstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// AWS is a fake SSM and Secrets Manager on one loopback HTTP server.
type AWS struct {
	URL string

	mu         sync.Mutex
	parameters map[string]string
	secrets    map[string]string
	reads      map[string]int
}

// NewAWS starts the fake; it stops when the test ends.
func NewAWS(t testing.TB) *AWS {
	a := &AWS{parameters: map[string]string{}, secrets: map[string]string{}, reads: map[string]int{}}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	return a
}

// Env is the environment that points the AWS SDK at the fake, with static
// fake credentials and no shared files or instance metadata.
func (a *AWS) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SSM":             a.URL,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": a.URL,
		"AWS_REGION":                       "eu-west-1",
		"AWS_ACCESS_KEY_ID":                "AKIDFAKE",
		"AWS_SECRET_ACCESS_KEY":            "fake",
		"AWS_CONFIG_FILE":                  "/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE":      "/nonexistent",
		"AWS_EC2_METADATA_DISABLED":        "true",
	}
}

// Setenv sets Env for the rest of the test.
func (a *AWS) Setenv(t testing.TB) {
	for k, v := range a.Env() {
		t.Setenv(k, v)
	}
}

// PutParameter stores an SSM parameter.
func (a *AWS) PutParameter(name, value string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.parameters[name] = value
}

// PutSecret stores a Secrets Manager secret's string value.
func (a *AWS) PutSecret(id, value string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.secrets[id] = value
}

// Reads is how many times name (a parameter or a secret) was asked for,
// found or not.
func (a *AWS) Reads(name string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reads[name]
}

func (a *AWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name           string
		WithDecryption bool
		SecretId       string
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		fail(w, http.StatusForbidden, "MissingAuthenticationTokenException", "unsigned request")
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.Method != http.MethodPost {
		fail(w, http.StatusBadRequest, "SerializationException", "bad request")
		return
	}
	switch target := r.Header.Get("X-Amz-Target"); target {
	case "AmazonSSM.GetParameter":
		v, ok := a.read(a.parameters, in.Name)
		switch {
		case !ok:
			fail(w, http.StatusBadRequest, "ParameterNotFound", "")
		case !in.WithDecryption:
			fail(w, http.StatusBadRequest, "ValidationException", "the fake keeps SecureStrings only: ask WithDecryption")
		default:
			reply(w, map[string]any{"Parameter": map[string]any{"Name": in.Name, "Type": "SecureString", "Value": v, "Version": 1}})
		}
	case "secretsmanager.GetSecretValue":
		if v, ok := a.read(a.secrets, in.SecretId); ok {
			reply(w, map[string]any{"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + in.SecretId,
				"Name": in.SecretId, "SecretString": v, "VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}})
		} else {
			fail(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		}
	default:
		fail(w, http.StatusBadRequest, "UnknownOperationException", target)
	}
}

func (a *AWS) read(store map[string]string, name string) (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reads[name]++
	v, ok := store[name]
	return v, ok
}

func reply(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}
