package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// TestErrorCodes: every transport answers bad messages with the JSON-RPC
// error codes, keeps the request's id where it has one, answers batches
// element by element, and stays usable afterwards.
func TestErrorCodes(t *testing.T) {
	a := startNode(t, nil)
	api := startAdmin(t, a, func(c *Config) { c.MaxBatch = 3 })
	const modules = `{"jsonrpc":"2.0","id":%s,"method":"rpc_modules"}`
	tests := []struct {
		name, msg string
		code      int
		id        string // the response's id
	}{
		{"not JSON", `{"jsonrpc":"2.0",}`, CodeParseError, "null"},
		{"truncated", `{"jsonrpc":"2.0","id":1,"method":"x"]`, CodeParseError, "null"},
		{"empty batch", `[]`, CodeInvalidRequest, "null"},
		{"batch too long", "[" + strings.Repeat(fmt.Sprintf(modules, "1")+",", 3) + fmt.Sprintf(modules, "1") + "]", CodeInvalidRequest, "null"},
		{"not an object", `"admin_peers"`, CodeInvalidRequest, "null"},
		{"no method", `{"jsonrpc":"2.0","id":1}`, CodeInvalidRequest, "1"},
		{"wrong version", `{"jsonrpc":"1.0","id":"a","method":"rpc_modules"}`, CodeInvalidRequest, `"a"`},
		{"no version", `{"id":2,"method":"rpc_modules"}`, CodeInvalidRequest, "2"},
		{"method not a string", `{"jsonrpc":"2.0","id":1,"method":5}`, CodeInvalidRequest, "null"},
		{"unknown member", `{"jsonrpc":"2.0","id":1,"method":"rpc_modules","extra":1}`, CodeInvalidRequest, "null"},
		{"id an object", `{"jsonrpc":"2.0","id":{},"method":"rpc_modules"}`, CodeInvalidRequest, "null"},
		{"params a string", `{"jsonrpc":"2.0","id":3,"method":"rpc_modules","params":"x"}`, CodeInvalidRequest, "3"},
		{"unknown method", `{"jsonrpc":"2.0","id":4,"method":"admin_nope"}`, CodeMethodNotFound, "4"},
		{"bad enode", `{"jsonrpc":"2.0","id":5,"method":"admin_addPeer","params":["enode://1234@127.0.0.1:30303"]}`, CodeInvalidParams, "5"},
		{"enode not a string", `{"jsonrpc":"2.0","id":5,"method":"admin_removePeer","params":[5]}`, CodeInvalidParams, "5"},
		{"missing argument", `{"jsonrpc":"2.0","id":5,"method":"admin_addTrustedPeer","params":[]}`, CodeInvalidParams, "5"},
		{"extra argument", `{"jsonrpc":"2.0","id":5,"method":"admin_peers","params":[1]}`, CodeInvalidParams, "5"},
		{"named params", `{"jsonrpc":"2.0","id":5,"method":"admin_removeTrustedPeer","params":{"url":"x"}}`, CodeInvalidParams, "5"},
		{"unknown subscription", `{"jsonrpc":"2.0","id":6,"method":"admin_subscribe","params":["newHeads"]}`, -1, "6"},
	}
	for name, c := range transports(t, api) {
		t.Run(name, func(t *testing.T) {
			for _, tt := range tests {
				var resp rpcResponse
				raw := c.send(t, tt.msg)
				if err := json.Unmarshal(raw, &resp); err != nil {
					t.Fatalf("%s: response %q: %v", tt.name, raw, err)
				}
				code := tt.code
				if code == -1 { // over HTTP, subscriptions are not supported at all
					code = CodeInvalidParams
					if name == "http" {
						code = CodeMethodNotFound
					}
				}
				if resp.Error == nil || resp.Error.Code != code || resp.Error.Message == "" || resp.Result != nil {
					t.Errorf("%s: response %s, want error %d", tt.name, raw, code)
				}
				if string(resp.ID) != tt.id {
					t.Errorf("%s: id %s, want %s", tt.name, resp.ID, tt.id)
				}
			}

			// A batch gets one answer per request, in order; the
			// notification in it none.
			raw := c.send(t, `[{"jsonrpc":"2.0","id":1,"method":"rpc_modules"},{"jsonrpc":"2.0","method":"rpc_modules"},{"jsonrpc":"2.0","id":2,"method":"x"}]`)
			var batch []rpcResponse
			if err := json.Unmarshal(raw, &batch); err != nil || len(batch) != 2 {
				t.Fatalf("batch response %s: %v", raw, err)
			}
			if string(batch[0].ID) != "1" || batch[0].Error != nil || batch[0].Result == nil ||
				string(batch[1].ID) != "2" || batch[1].Error == nil || batch[1].Error.Code != CodeMethodNotFound {
				t.Errorf("batch response %s", raw)
			}
			// Notifications get no answer; the next call still works.
			if raw := c.send(t, `{"jsonrpc":"2.0","method":"notify_x"}`); raw != nil {
				t.Errorf("answer to a notification: %s", raw)
			}
			if raw := c.send(t, `[{"jsonrpc":"2.0","method":"notify_x"},{"jsonrpc":"2.0","method":"rpc_modules"}]`); raw != nil {
				t.Errorf("answer to a batch of notifications: %s", raw)
			}
			mustCall(t, c, nil, "rpc_modules")
		})
	}
}

// TestSizeLimit: a message over MaxRequestSize is refused on every
// transport: HTTP with 413 and a JSON-RPC error, IPC with the error and
// the end of the connection (its framing is lost), WebSocket by closing
// with StatusMessageTooBig. A message just under the limit is served.
func TestSizeLimit(t *testing.T) {
	a := startNode(t, nil)
	const limit = 4096
	api := startAdmin(t, a, func(c *Config) { c.MaxRequestSize = limit })
	pad := func(n int) string {
		msg := `{"jsonrpc":"2.0","id":1,"method":"rpc_modules","params":[]}`
		return msg[:len(msg)-3] + strings.Repeat(" ", n-len(msg)) + `[]}`
	}
	ok, big := pad(limit-1), pad(limit+1) // the IPC framing counts the newline
	if len(ok) != limit-1 || len(big) != limit+1 {
		t.Fatal("bad padding")
	}

	t.Run("http", func(t *testing.T) {
		url := "http://" + api.HTTPAddr().String() + "/"
		if status, body := post(t, url, ok, nil); status != http.StatusOK {
			t.Errorf("at the limit: %d %s", status, body)
		}
		status, body := post(t, url, big, nil)
		var resp rpcResponse
		json.Unmarshal(body, &resp)
		if status != http.StatusRequestEntityTooLarge || resp.Error == nil || resp.Error.Code != CodeInvalidRequest {
			t.Errorf("over the limit: %d %s", status, body)
		}
	})
	t.Run("ipc", func(t *testing.T) {
		c := dialIPC(t, api)
		mustCall(t, c, nil, "rpc_modules")
		var resp rpcResponse
		raw := c.send(t, big)
		if err := json.Unmarshal(raw, &resp); err != nil || resp.Error == nil || resp.Error.Code != CodeInvalidRequest {
			t.Errorf("over the limit: %s", raw)
		}
		if line, err := c.r.ReadBytes('\n'); err == nil {
			t.Errorf("connection still open, read %q", line)
		}
	})
	t.Run("ws", func(t *testing.T) {
		c := dialWS(t, api)
		if raw := c.send(t, ok); !strings.Contains(string(raw), `"result"`) {
			t.Errorf("at the limit: %s", raw)
		}
		ctx, cancel := context.WithTimeout(context.Background(), testWait)
		defer cancel()
		if err := c.c.Write(ctx, websocket.MessageText, []byte(big)); err != nil {
			t.Fatal(err)
		}
		_, _, err := c.c.Read(ctx)
		if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
			t.Errorf("over the limit: %v, want close status %v", err, websocket.StatusMessageTooBig)
		}
	})
}

// TestConnLimit: connections beyond MaxConns are refused with a clear
// error, and a slot frees when a client leaves.
func TestConnLimit(t *testing.T) {
	a := startNode(t, nil)
	api := startAdmin(t, a, func(c *Config) { c.MaxConns = 2 })
	first := dialIPC(t, api)
	mustCall(t, first, nil, "rpc_modules")
	second := dialWS(t, api)
	mustCall(t, second, nil, "rpc_modules")

	refused := dialIPC(t, api)
	var resp rpcResponse
	if raw := refused.next(t); json.Unmarshal(raw, &resp) != nil || resp.Error == nil || !strings.Contains(resp.Error.Message, "too many") {
		t.Errorf("third connection: %s", raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	_, hresp, err := websocket.Dial(ctx, "ws://"+api.HTTPAddr().String()+"/", nil)
	if err == nil || hresp == nil || hresp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("third WebSocket: %v %v", err, hresp)
	}
	// HTTP requests do not count: they hold no connection state.
	mustCall(t, &httpClient{url: "http://" + api.HTTPAddr().String() + "/"}, nil, "rpc_modules")

	// The first leaves: it closes its side and reads to the end, by which
	// time its slot is free.
	first.fd.(*net.UnixConn).CloseWrite()
	if rest, err := io.ReadAll(first.r); err != nil || len(rest) > 0 {
		t.Fatalf("closing: %q, %v", rest, err)
	}
	mustCall(t, dialIPC(t, api), nil, "rpc_modules")
}
