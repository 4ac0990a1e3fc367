package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// isLoopbackAddr reports whether a listen address binds loopback only.
// "localhost" counts; an empty host (all interfaces) does not.
func isLoopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("admin: invalid HTTP address %q: %v", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		if host == "" {
			return false, nil
		}
		return false, fmt.Errorf("admin: invalid HTTP address %q: want an IP address or localhost", addr)
	}
	return ip.IsLoopback(), nil
}

// checkAccess decides whether an HTTP or WebSocket request may use the API,
// and with which status it is refused.
//
// With a secret, the request must carry it as a bearer token; nothing a
// web page can make a browser send carries it. Without one, the server
// listens on loopback and the danger is a web page in the operator's
// browser: a page on a domain that resolves to 127.0.0.1 (DNS rebinding)
// sends that domain as Host, so only IP literals and "localhost" are
// accepted there; and a page on another origin sends an Origin header
// that does not match the Host.
func (s *Server) checkAccess(r *http.Request) (int, error) {
	if s.cfg.Secret != "" {
		if !s.validToken(r.Header.Get("Authorization")) {
			return http.StatusUnauthorized, errors.New("unauthorized: missing or wrong bearer token")
		}
	} else if !localHost(r.Host) {
		return http.StatusForbidden, fmt.Errorf("invalid host %q: connect by IP address or localhost", r.Host)
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return http.StatusForbidden, fmt.Errorf("origin %q not allowed", o)
		}
	}
	return 0, nil
}

// validToken compares the token in an Authorization header with the secret
// in constant time. Hashing both first makes the comparison independent of
// the lengths, too.
func (s *Server) validToken(header string) bool {
	const prefix = "Bearer "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(header[len(prefix):])))
	want := sha256.Sum256([]byte(s.cfg.Secret))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// localHost reports whether a Host header names this machine in a way DNS
// rebinding cannot produce: an IP address or localhost.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	_, err := netip.ParseAddr(host)
	return err == nil
}
