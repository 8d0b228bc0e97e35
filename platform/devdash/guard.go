package devdash

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CheckAddr says why addr may not be listened on with token ("" when it
// may): an address other than loopback only with a token, since the
// dashboard shows every request's and event's contents and repairs queues.
func CheckAddr(addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if !IsLoopback(host) && token == "" {
		return fmt.Errorf("%q is not a loopback address: the dashboard listens elsewhere only with a token set", addr)
	}
	return nil
}

// IsLoopback reports whether host names this machine only: localhost or a
// loopback IP. An empty host (every interface) is not.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TokenCookie keeps the token a browser gave once as ?token=.
const TokenCookie = "devdash_token"

// guard refuses what a page elsewhere, or someone without the token, asks:
//   - a Host other than this listener's (a loopback name or an IP literal,
//     with its port): a rebound DNS name reaches the listener with its own
//     name in Host;
//   - a state-changing request whose Origin (or Sec-Fetch-Site) is not
//     this dashboard, or whose body is not JSON: no cross-site form or
//     fetch can send one without a preflight this server never answers;
//   - any request without the token, when one is set.
func guard(next http.Handler, addr, token string) http.Handler {
	_, port, _ := net.SplitHostPort(addr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowedHost(r.Host, port) {
			http.Error(w, "this dashboard answers only to its own address (Host)", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			http.Error(w, "cross-origin request refused", http.StatusForbidden)
			return
		}
		if token != "" && !tokenGiven(w, r, token) {
			http.Error(w, "a token is needed: open the dashboard as /?token=…", http.StatusUnauthorized)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Frame-Options", "DENY")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// allowedHost accepts a Host of the listener's port whose name is
// localhost or an IP literal: no DNS name an attacker controls.
func allowedHost(hostport, port string) bool {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil || p != port {
		return false
	}
	return strings.EqualFold(host, "localhost") || net.ParseIP(host) != nil
}

// sameOrigin accepts a request whose Origin is this dashboard, or, from a
// client that sends none (curl), one no browser marked cross-site; and
// only a JSON body.
func sameOrigin(r *http.Request) bool {
	if ct := r.Header.Get("Content-Type"); r.ContentLength != 0 && !strings.HasPrefix(ct, "application/json") {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		return err == nil && u.Scheme == "http" && u.Host == r.Host
	}
	site := r.Header.Get("Sec-Fetch-Site")
	return site == "" || site == "same-origin" || site == "none"
}

// tokenGiven checks the token of the header, the cookie or ?token=; the
// last sets the cookie, so that the address bar need not keep it.
func tokenGiven(w http.ResponseWriter, r *http.Request, token string) bool {
	given := r.Header.Get("X-Dashboard-Token")
	if c, err := r.Cookie(TokenCookie); given == "" && err == nil {
		given = c.Value
	}
	fromQuery := false
	if given == "" {
		given, fromQuery = r.URL.Query().Get("token"), true
	}
	if subtle.ConstantTimeCompare([]byte(given), []byte(token)) != 1 {
		return false
	}
	if fromQuery {
		http.SetCookie(w, &http.Cookie{Name: TokenCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	return true
}
