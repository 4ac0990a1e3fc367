package admin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// testWait bounds every wait of a test on the network; it is a guard
// against hangs, not a delay: tests wait on events.
const testWait = 20 * time.Second

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// leakChecked holds the tests that registered their goroutine check.
var leakChecked sync.Map

// checkLeaksAtEnd registers the goroutine check of t once, before anything
// else, so that it runs after every other cleanup. Subtests leave it to
// their parent, whose servers still run when they end.
func checkLeaksAtEnd(t testing.TB) {
	if strings.Contains(t.Name(), "/") {
		return
	}
	if _, done := leakChecked.LoadOrStore(t, true); !done {
		t.Cleanup(func() {
			leakChecked.Delete(t)
			checkNoGoroutines(t)
		})
	}
}

// startNode starts a devp2p server on 127.0.0.1 with a free port. Stop runs
// at the end of the test. The test's first startNode registers the leak
// check, which runs after all other cleanups.
func startNode(t testing.TB, mod func(*devp2p.Config)) *devp2p.Server {
	t.Helper()
	checkLeaksAtEnd(t)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := devp2p.Config{
		PrivateKey:  key,
		MaxPeers:    10,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      true,
		Logger:      slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// ipcPath returns a socket path in a fresh directory that fits in a unix
// socket address (t.TempDir's can be long).
func ipcPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "adm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "devp2p.ipc")
}

// startAdmin serves srv's admin API on HTTP and IPC. Close and the leak
// check run at the end of the test.
func startAdmin(t testing.TB, srv *devp2p.Server, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		HTTPAddr: "127.0.0.1:0",
		IPCPath:  ipcPath(t),
		Logger:   testLogger(t),
	}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(srv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkLeaksAtEnd(t)
	t.Cleanup(func() { s.Close() })
	return s
}

// client talks JSON-RPC over one transport.
type client interface {
	// send sends one raw message and returns the response, nil when none
	// is expected (notifications only).
	send(t testing.TB, msg string) []byte
	// next returns the next message the server sent (notifications).
	next(t testing.TB) []byte
}

// rpcResponse is a response as the tests read it.
type rpcResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *Error          `json:"error"`
}

// callRPC makes a call and decodes the response.
func callRPC(t testing.TB, c client, method string, params ...any) rpcResponse {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": method, "params": params})
	raw := c.send(t, string(req))
	var resp rpcResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		t.Fatalf("%s: response %q: %v", method, raw, err)
	}
	if resp.JSONRPC != "2.0" || string(resp.ID) != "7" {
		t.Fatalf("%s: response %s does not answer the request", method, raw)
	}
	return resp
}

// mustCall makes a call that must succeed and decodes its result into out.
func mustCall(t testing.TB, c client, out any, method string, params ...any) {
	t.Helper()
	resp := callRPC(t, c, method, params...)
	if resp.Error != nil {
		t.Fatalf("%s: %v", method, resp.Error)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(resp.Result))
		dec.DisallowUnknownFields()
		if err := dec.Decode(out); err != nil {
			t.Fatalf("%s: result %s: %v", method, resp.Result, err)
		}
	}
}

// httpClient posts each message.
type httpClient struct{ url string }

func (c *httpClient) send(t testing.TB, msg string) []byte {
	t.Helper()
	status, body := post(t, c.url, msg, nil)
	if status == http.StatusNoContent {
		return nil
	}
	if status != http.StatusOK {
		t.Fatalf("HTTP status %d: %s", status, body)
	}
	return body
}

func (c *httpClient) next(t testing.TB) []byte {
	t.Fatal("HTTP has no notifications")
	return nil
}

func post(t testing.TB, url, body string, header http.Header) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// isNotification tells a notification from a response.
func isNotification(msg []byte) bool {
	var n struct{ Method string }
	return json.Unmarshal(msg, &n) == nil && n.Method != ""
}

// stash keeps the notifications that arrive while a client waits for a
// response: events and answers travel on one connection, in either order.
type stash struct{ msgs [][]byte }

// response reads messages until a response, keeping the notifications.
func (s *stash) response(read func() []byte) []byte {
	for {
		msg := read()
		if !isNotification(msg) {
			return msg
		}
		s.msgs = append(s.msgs, msg)
	}
}

// next returns a kept notification, or the next message.
func (s *stash) next(read func() []byte) []byte {
	if len(s.msgs) > 0 {
		msg := s.msgs[0]
		s.msgs = s.msgs[1:]
		return msg
	}
	return read()
}

// wsClient sends one message per WebSocket message.
type wsClient struct {
	c *websocket.Conn
	stash
}

func dialWS(t testing.TB, s *Server) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+s.HTTPAddr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(-1)
	t.Cleanup(func() { c.CloseNow() })
	return &wsClient{c: c}
}

func (c *wsClient) send(t testing.TB, msg string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if !expectsResponse(msg) {
		return nil
	}
	return c.response(func() []byte { return c.read(t) })
}

func (c *wsClient) next(t testing.TB) []byte {
	t.Helper()
	return c.stash.next(func() []byte { return c.read(t) })
}

func (c *wsClient) read(t testing.TB) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	_, data, err := c.c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ipcClient writes messages to the unix socket and reads newline-separated
// answers.
type ipcClient struct {
	fd net.Conn
	r  *bufio.Reader
	stash
}

func dialIPC(t testing.TB, s *Server) *ipcClient {
	t.Helper()
	fd, err := net.Dial("unix", s.IPCPath())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fd.Close() })
	return &ipcClient{fd: fd, r: bufio.NewReaderSize(fd, 1<<20)}
}

func (c *ipcClient) send(t testing.TB, msg string) []byte {
	t.Helper()
	c.fd.SetWriteDeadline(time.Now().Add(testWait))
	if _, err := io.WriteString(c.fd, msg+"\n"); err != nil {
		t.Fatal(err)
	}
	if !expectsResponse(msg) {
		return nil
	}
	return c.response(func() []byte { return c.read(t) })
}

func (c *ipcClient) next(t testing.TB) []byte {
	t.Helper()
	return c.stash.next(func() []byte { return c.read(t) })
}

func (c *ipcClient) read(t testing.TB) []byte {
	t.Helper()
	c.fd.SetReadDeadline(time.Now().Add(testWait))
	line, err := c.r.ReadBytes('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, line)
	}
	return bytes.TrimSuffix(line, []byte("\n"))
}

// expectsResponse reports whether a message the tests send gets an answer:
// everything but notifications and batches of them. The tests mark their
// notification-only messages with "notify" in the method name.
func expectsResponse(msg string) bool {
	return !strings.Contains(msg, `"notify_`)
}

// transports returns a client of each transport of s.
func transports(t testing.TB, s *Server) map[string]client {
	return map[string]client{
		"http": &httpClient{url: "http://" + s.HTTPAddr().String() + "/"},
		"ws":   dialWS(t, s),
		"ipc":  dialIPC(t, s),
	}
}

// checkNoGoroutines fails if a goroutine still runs code of this package
// (other than tests) after everything was closed.
func checkNoGoroutines(t testing.TB) {
	t.Helper()
	var leaked string
	for range 1000 {
		if leaked = ourGoroutines(); leaked == "" {
			return
		}
		runtime.Gosched() // a goroutine past its last Done may still be exiting
	}
	t.Fatalf("leaked goroutines:\n%s", leaked)
}

func ourGoroutines() string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file) + "/"
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 {
			continue
		}
		for _, line := range strings.Split(g, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, dir) && !strings.Contains(line, "_test.go") {
				out = append(out, g)
				break
			}
		}
	}
	return strings.Join(out, "\n\n")
}

// peerEvent is a notification's result.
type notificationMsg struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  struct {
		Subscription string           `json:"subscription"`
		Result       devp2p.PeerEvent `json:"result"`
	} `json:"params"`
}

// waitNotification reads notifications until one of type typ about id.
func waitNotification(t testing.TB, c client, sub string, typ devp2p.PeerEventType, id enode.ID) {
	t.Helper()
	for {
		raw := c.next(t)
		var n notificationMsg
		if err := json.Unmarshal(raw, &n); err != nil {
			t.Fatalf("notification %s: %v", raw, err)
		}
		if n.Method != "admin_subscription" || n.Params.Subscription != sub {
			t.Fatalf("unexpected message %s", raw)
		}
		if n.Params.Result.Type == typ && n.Params.Result.Peer == id {
			return
		}
	}
}

// waitEvent waits for an event of type typ about id.
func waitEvent(t testing.TB, ch <-chan *devp2p.PeerEvent, typ devp2p.PeerEventType, id enode.ID) {
	t.Helper()
	timeout := time.After(testWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == typ && ev.Peer == id {
				return
			}
		case <-timeout:
			t.Fatalf("timeout waiting for %s event of %v", typ, id)
		}
	}
}

var _ = fmt.Sprint

// httpPostErr posts a JSON-RPC message and returns the transport error, for
// tests that expect the server to be gone.
func httpPostErr(url, body string) (int, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
