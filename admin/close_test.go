package admin

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestCloseWithClients: Close ends connected WebSocket and IPC clients,
// their subscriptions included, tells the WebSocket one why, and returns
// once every goroutine of the server is gone (the leak check at the end).
// Requests that arrive afterwards are refused.
func TestCloseWithClients(t *testing.T) {
	a := startNode(t, nil)
	api := startAdmin(t, a, func(c *Config) { c.MaxSubscriptions = 2 })
	ws, ipc := dialWS(t, api), dialIPC(t, api)
	for _, c := range []client{ws, ipc} {
		var id string
		mustCall(t, c, &id, "admin_subscribe", "peerEvents")
		mustCall(t, c, &id, "admin_subscribe", "peerEvents")
		// MaxSubscriptions per connection.
		if resp := callRPC(t, c, "admin_subscribe", "peerEvents"); resp.Error == nil || !strings.Contains(resp.Error.Message, "too many subscriptions") {
			t.Errorf("third subscription: %+v", resp)
		}
	}
	httpURL := "http://" + api.HTTPAddr().String() + "/"

	// The WebSocket client reads, as clients do: the close handshake needs
	// its answer.
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	wsErr := make(chan error, 1)
	go func() {
		_, _, err := ws.c.Read(ctx)
		wsErr <- err
	}()
	api.Close()
	// The close frame carries the reason, unless Close caught the stream's
	// writer inside a write, which it cuts (as it cuts a slow client's).
	err := <-wsErr
	if ce := websocket.CloseStatus(err); err == nil || (ce != -1 && (ce != websocket.StatusPolicyViolation || !strings.Contains(err.Error(), "admin server closing"))) {
		t.Errorf("WebSocket after Close: %v", err)
	}
	if rest, err := io.ReadAll(ipc.r); err != nil || len(rest) > 0 {
		t.Errorf("IPC after Close: %q, %v", rest, err)
	}
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "rpc_modules"})
	if _, err := httpPostErr(httpURL, string(req)); err == nil {
		t.Error("HTTP request served after Close")
	}
	api.Close() // again: nothing happens
}
