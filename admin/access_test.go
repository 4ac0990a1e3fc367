package admin

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestConfigRemote: the HTTP endpoint binds loopback unless AllowRemote and
// a secret both allow otherwise; New refuses with a clear error.
func TestConfigRemote(t *testing.T) {
	a := startNode(t, nil)
	secret := strings.Repeat("s", MinSecretLen)
	tests := []struct {
		cfg  Config
		want error // nil: starts
	}{
		{Config{HTTPAddr: "127.0.0.1:0"}, nil},
		{Config{HTTPAddr: "[::1]:0"}, nil},
		{Config{HTTPAddr: "localhost:0"}, nil},
		{Config{HTTPAddr: "0.0.0.0:0"}, ErrRemoteNotAllowed},
		{Config{HTTPAddr: ":0"}, ErrRemoteNotAllowed},
		{Config{HTTPAddr: "0.0.0.0:0", Secret: secret}, ErrRemoteNotAllowed},
		{Config{HTTPAddr: "0.0.0.0:0", AllowRemote: true}, ErrNoSecret},
		{Config{HTTPAddr: "127.0.0.1:0", AllowRemote: true}, ErrNoSecret},
		{Config{HTTPAddr: "0.0.0.0:0", AllowRemote: true, Secret: secret}, nil},
	}
	for _, tt := range tests {
		s, err := New(a, tt.cfg)
		if s != nil {
			s.Close()
		}
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%+v: %v, want %v", tt.cfg, err, tt.want)
		}
	}
	if _, err := New(a, Config{HTTPAddr: "127.0.0.1:0", Secret: "short"}); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Errorf("short secret: %v", err)
	}
	if _, err := New(a, Config{HTTPAddr: "example.com:80"}); err == nil {
		t.Error("host name accepted as listen address")
	}
	checkNoGoroutines(t)
}

// TestAccessChecks: the requests a web page or a stranger could send are
// refused before any method runs.
func TestAccessChecks(t *testing.T) {
	a := startNode(t, nil)
	open := startAdmin(t, a, nil)
	const secret = "0123456789abcdef0123"
	locked := startAdmin(t, a, func(c *Config) { c.Secret = secret })
	body := `{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`

	do := func(s *Server, method, host string, header http.Header) int {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+s.HTTPAddr().String()+"/", strings.NewReader(body))
		if host != "" {
			req.Host = host
		}
		req.Header.Set("Content-Type", "application/json")
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	port := func(s *Server) string { return ":" + strings.Split(s.HTTPAddr().String(), ":")[1] }
	tests := []struct {
		name   string
		s      *Server
		method string
		host   string
		header http.Header
		want   int
	}{
		{"plain", open, "POST", "", nil, 200},
		{"localhost", open, "POST", "localhost" + port(open), nil, 200},
		{"rebinding host", open, "POST", "attacker.example" + port(open), nil, 403},
		{"same origin", open, "POST", "", h("Origin", "http://"+open.HTTPAddr().String()), 200},
		{"cross origin", open, "POST", "", h("Origin", "http://attacker.example"), 403},
		{"form post", open, "POST", "", h("Content-Type", "text/plain"), 415},
		{"no content type", open, "POST", "", h("Content-Type", ""), 415},
		{"GET", open, "GET", "", nil, 405},
		{"no token", locked, "POST", "", nil, 401},
		{"wrong token", locked, "POST", "", h("Authorization", "Bearer "+secret+"x"), 401},
		{"not bearer", locked, "POST", "", h("Authorization", "Basic "+secret), 401},
		{"token", locked, "POST", "", h("Authorization", "Bearer "+secret), 200},
		{"token, any host", locked, "POST", "node.example", h("Authorization", "bearer "+secret), 200},
	}
	for _, tt := range tests {
		if got := do(tt.s, tt.method, tt.host, tt.header); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}

	// WebSocket: the same checks on the upgrade request.
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	wsURL := func(s *Server) string { return "ws://" + s.HTTPAddr().String() + "/" }
	if _, resp, err := websocket.Dial(ctx, wsURL(open), &websocket.DialOptions{HTTPHeader: h("Origin", "http://attacker.example")}); err == nil || resp.StatusCode != 403 {
		t.Errorf("cross-origin WebSocket: %v", err)
	}
	if _, resp, err := websocket.Dial(ctx, wsURL(open), &websocket.DialOptions{Host: "attacker.example" + port(open)}); err == nil || resp.StatusCode != 403 {
		t.Errorf("rebinding WebSocket: %v", err)
	}
	if _, resp, err := websocket.Dial(ctx, wsURL(locked), nil); err == nil || resp.StatusCode != 401 {
		t.Errorf("WebSocket without token: %v", err)
	}
	c, _, err := websocket.Dial(ctx, wsURL(locked), &websocket.DialOptions{HTTPHeader: h("Authorization", "Bearer "+secret)})
	if err != nil {
		t.Fatalf("WebSocket with token: %v", err)
	}
	ws := &wsClient{c: c}
	defer c.CloseNow()
	mustCall(t, ws, nil, "rpc_modules")
}

// TestIPCSocket: the socket is private to the user, a stale socket file is
// replaced, a live one or another file is not, and a path too long for a
// socket address is refused with a clear error.
func TestIPCSocket(t *testing.T) {
	a := startNode(t, nil)
	path := ipcPath(t)
	s := startAdmin(t, a, func(c *Config) { c.HTTPAddr, c.IPCPath = "", path })
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode(); mode&os.ModeSocket == 0 || mode.Perm() != 0o600 {
		t.Errorf("socket mode %v, want 0600", mode)
	}
	if _, err := New(a, Config{IPCPath: path}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second server on a live socket: %v", err)
	}
	mustCall(t, dialIPC(t, s), nil, "rpc_modules") // still served

	// A socket file nobody listens on, as a killed node leaves it.
	stale := filepath.Join(filepath.Dir(path), "stale.ipc")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	s2 := startAdmin(t, a, func(c *Config) { c.HTTPAddr, c.IPCPath = "", stale })
	mustCall(t, dialIPC(t, s2), nil, "rpc_modules")

	notSocket := filepath.Join(filepath.Dir(path), "file")
	os.WriteFile(notSocket, []byte("data"), 0o600)
	if _, err := New(a, Config{IPCPath: notSocket}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("regular file at the IPC path: %v", err)
	}
	long := filepath.Join(filepath.Dir(path), strings.Repeat("d", 120), "devp2p.ipc")
	if _, err := New(a, Config{IPCPath: long}); !errors.Is(err, ErrIPCPathTooLong) {
		t.Errorf("long path: %v", err)
	}
}
