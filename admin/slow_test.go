package admin

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
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
	a := startNode(t, func(c *devp2p.Config) { c.NoDial = false })
	const queue = 2
	api := startAdmin(t, a, func(c *Config) { c.SendQueue = queue })
	other := dialIPC(t, api) // a subscriber that keeps up
	var otherSub string
	mustCall(t, other, &otherSub, "admin_subscribe", "peerEvents")

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
	for range 2 {
		p := startNode(t, nil)
		a.AddPeer(p.Self())
		waitNotification(t, other, otherSub, devp2p.PeerEventTypeAdd, p.Self().ID())
		a.RemovePeer(p.Self())
		waitNotification(t, other, otherSub, devp2p.PeerEventTypeDrop, p.Self().ID())
	}
	// The slow client's connection ends: after at most what the writer
	// had started, the pipe reports the close.
	client.SetReadDeadline(time.Now().Add(testWait))
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("slow client not dropped: %v (read %q)", err, rest)
	}
	if len(rest) > 0 {
		var n notificationMsg
		if json.Unmarshal(rest, &n) != nil || n.Method != "admin_subscription" {
			t.Errorf("slow client got %q", rest)
		}
	}
	// The node and the API go on.
	mustCall(t, other, nil, "admin_peers")
	api.mu.Lock()
	streams := len(api.streams)
	api.mu.Unlock()
	if streams != 1 {
		t.Errorf("%d streams open, want 1", streams)
	}
}
