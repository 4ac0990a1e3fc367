package admin

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
)

func (s *Server) startHTTP() error {
	ln, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("admin: HTTP: %w", err)
	}
	s.httpLn = newLimitListener(ln, s.cfg.MaxHTTPConns)
	s.httpSrv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		IdleTimeout:       httpIdleTimeout,
		MaxHeaderBytes:    httpMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.httpSrv.Serve(s.httpLn) // returns when Close closes the server
	}()
	return nil
}

// ServeHTTP answers JSON-RPC over HTTP POST and upgrades WebSocket
// requests, after the checks that keep the API to its owner: the bearer
// token when a secret is set, the Host header otherwise (DNS rebinding),
// and the Origin of browser requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "admin server closing", http.StatusServiceUnavailable)
		return
	}
	defer s.leave()
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if status, err := s.checkAccess(r); err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	if isWebSocket(r) {
		s.serveWebSocket(w, r)
		return
	}
	s.servePost(w, r)
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// servePost answers one JSON-RPC message in a POST body.
func (s *Server) servePost(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed: JSON-RPC wants POST", http.StatusMethodNotAllowed)
		return
	}
	// A JSON content type keeps browsers from sending a request across
	// origins without a CORS preflight, which this server never grants.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		http.Error(w, "unsupported content type: want application/json", http.StatusUnsupportedMediaType)
		return
	}
	if r.ContentLength > int64(s.cfg.MaxRequestSize) {
		s.tooLarge(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(s.cfg.MaxRequestSize)))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.tooLarge(w)
			return
		}
		http.Error(w, "reading the request: "+err.Error(), http.StatusBadRequest)
		return
	}
	resp := s.handleMessage(&call{ctx: r.Context()}, body)
	if resp == nil {
		w.WriteHeader(http.StatusNoContent) // notifications only
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(resp)
}

func (s *Server) tooLarge(w http.ResponseWriter) {
	resp := errorResponse(nil, errorf(CodeInvalidRequest, "invalid request: message larger than %d bytes", s.cfg.MaxRequestSize))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	w.Write(mustMarshal(resp))
}
