package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
)

// TestSlowSubscriberDropped: an IPC subscriber that stops reading is
// dropped once its send queue is full, while the node's events keep
// flowing to everyone else and the API keeps answering. The client end is
// a net.Pipe, which holds no bytes: the server's writer blocks on the
// first notification the client does not read, so the queue fills after
// exactly SendQueue more events.
func TestSlowSubscriberDropped(t *testing.T) {
	st := startSlowTest(t)
	api, other := st.api, st.other

	client, server := net.Pipe()
	defer client.Close()
	api.serveIPC(server)
	io.WriteString(client, `{"jsonrpc":"2.0","id":1,"method":"admin_subscribe","params":["peerEvents"]}`)
	r := bufio.NewReader(client)
	client.SetReadDeadline(time.Now().Add(testWait))
	if line, err := r.ReadBytes('\n'); err != nil {
		t.Fatalf("subscribe: %q, %v", line, err)
	}
	// From here on the client reads nothing. Each peer that comes and
	// goes makes two events: one in the writer, two in the queue, and the
	// fourth overflows.
	st.peersComeAndGo(t)
	// The server drops the slow client (it says so in its log); the other
	// subscriber kept up meanwhile. Until the client reads, the writer
	// stays inside the first notification's write, so the queue cannot
	// have drained: the drop comes from the server, not from the reading.
	st.waitDropped(t)
	// The pipe reports the close after at most what the writer had
	// started.
	client.SetReadDeadline(time.Now().Add(testWait))
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("slow client not dropped: %v (read %q)", err, rest)
	}
	// What it gets before the end are whole notifications.
	for _, line := range strings.Split(strings.TrimSuffix(string(rest), "\n"), "\n") {
		var n notificationMsg
		if line != "" && (json.Unmarshal([]byte(line), &n) != nil || n.Method != "admin_subscription") {
			t.Errorf("slow client got %q", line)
		}
	}
	// The node and the API go on.
	mustCall(t, other, nil, "admin_peers")
	// Its goroutines end with it: the leak check at the end of the test.
}

// slowTest is a node with an admin API whose send queue holds two
// messages, and a subscriber that keeps up.
type slowTest struct {
	node     *devp2p.Server
	api      *Server
	other    client
	otherSub string
	dropped  chan struct{} // the API logged that it dropped a slow subscriber
}

func startSlowTest(t *testing.T) *slowTest {
	st := &slowTest{dropped: make(chan struct{}, 1)}
	st.node = startNode(t, func(c *devp2p.Config) { c.NoDial = false })
	st.api = startAdmin(t, st.node, func(c *Config) {
		c.SendQueue = 2
		c.Logger = slog.New(&signalHandler{Handler: c.Logger.Handler(), msg: "Dropping slow admin subscriber", ch: st.dropped})
	})
	st.other = dialIPC(t, st.api)
	mustCall(t, st.other, &st.otherSub, "admin_subscribe", "peerEvents")
	return st
}

// peersComeAndGo makes four peer events: each peer that comes and goes
// makes two. With a client that reads nothing, one blocks in the writer,
// two fill the queue, and the fourth overflows it. It returns once the
// subscriber that keeps up has seen all four.
func (st *slowTest) peersComeAndGo(t *testing.T) {
	for range 2 {
		p := startNode(t, nil)
		st.node.AddPeer(p.Self())
		waitNotification(t, st.other, st.otherSub, devp2p.PeerEventTypeAdd, p.Self().ID())
		st.node.RemovePeer(p.Self())
		waitNotification(t, st.other, st.otherSub, devp2p.PeerEventTypeDrop, p.Self().ID())
	}
}

func (st *slowTest) waitDropped(t *testing.T) {
	t.Helper()
	select {
	case <-st.dropped:
	case <-time.After(testWait):
		t.Fatal("slow client not dropped")
	}
}

// signalHandler signals ch when a record whose message starts with msg is
// logged, and passes every record on.
type signalHandler struct {
	slog.Handler
	msg string
	ch  chan struct{}
}

func (h *signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.HasPrefix(r.Message, h.msg) {
		select {
		case h.ch <- struct{}{}:
		default:
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h *signalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &signalHandler{Handler: h.Handler.WithAttrs(as), msg: h.msg, ch: h.ch}
}

func (h *signalHandler) WithGroup(g string) slog.Handler {
	return &signalHandler{Handler: h.Handler.WithGroup(g), msg: h.msg, ch: h.ch}
}
