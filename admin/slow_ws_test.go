package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/coder/websocket"
)

// TestSlowWebSocketSubscriberDropped is TestSlowSubscriberDropped over
// WebSocket: the connection is a net.Pipe, which holds no bytes, so the
// server's writer blocks on the first notification the client does not
// read and the queue fills after exactly SendQueue more events. The server
// drops the client, the other subscriber keeps getting events, and the
// API keeps answering.
func TestSlowWebSocketSubscriberDropped(t *testing.T) {
	st := startSlowTest(t)
	api, other := st.api, st.other

	// The admin server's handler behind an HTTP server on a pipe listener.
	ln := newPipeListener()
	hs := &http.Server{Handler: api}
	served := make(chan struct{})
	go func() { defer close(served); hs.Serve(ln) }()
	defer func() {
		hs.Close()
		<-served
	}()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+api.HTTPAddr().String()+"/", &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: &http.Transport{DialContext: ln.dial}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`)); err != nil {
		t.Fatal(err)
	}
	if _, resp, err := c.Read(ctx); err != nil {
		t.Fatalf("subscribe: %q, %v", resp, err)
	}
	// From here on the client reads nothing.
	st.peersComeAndGo(t)
	st.waitDropped(t)
	// The client now reads what the writer had started, whole
	// notifications only, and then the end of the connection.
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("slow WebSocket client not disconnected")
			}
			break
		}
		var n notificationMsg
		if json.Unmarshal(msg, &n) != nil || n.Method != "admin_subscription" {
			t.Errorf("slow client got %q", msg)
		}
	}
	mustCall(t, other, nil, "admin_peers")
}

// pipeListener is a net.Listener whose connections are net.Pipes made by
// dial: an HTTP server on it talks to an in-memory client.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IP{127, 0, 0, 1}} }
