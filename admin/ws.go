package admin

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// serveWebSocket upgrades the request and serves the connection until it
// ends. It runs on the HTTP handler's goroutine, which ServeHTTP registered.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	st := newStream(s, nil)
	if err := s.addStream(st); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	// checkAccess has checked the Origin; the library checks it again.
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.removeStream(st)
		st.cancel()
		return // Accept wrote the error response
	}
	c.SetReadLimit(int64(s.cfg.MaxRequestSize))
	st.conn = &wsConn{c: c}
	st.serve()
}

// wsConn carries one JSON-RPC message per WebSocket message.
type wsConn struct {
	c *websocket.Conn
}

// read returns the next message. Over the read limit, the library closes
// the connection with StatusMessageTooBig, which tells the client why. It
// does not end with ctx: the library would cut the connection without a
// word, while the stream's writer closes it with the reason (close).
func (c *wsConn) read(context.Context) ([]byte, error) {
	_, msg, err := c.c.Read(context.Background())
	return msg, err
}

func (c *wsConn) write(ctx context.Context, msg []byte) error {
	return c.c.Write(ctx, websocket.MessageText, msg)
}

func (c *wsConn) close(why string) {
	code := websocket.StatusNormalClosure
	if why != "bye" {
		code = websocket.StatusPolicyViolation
	}
	c.c.Close(code, why)
}
