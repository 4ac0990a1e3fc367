package admin

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/enode"
)

// TestMethods drives every method over each transport against real
// servers on 127.0.0.1: node A serves the API and, per transport, adds a
// fresh node as a peer, marks it trusted and untrusted, reads the table,
// the dial stats and the verdicts, and removes the peer again, watching the
// peer events through admin_subscribe where the transport carries them.
func TestMethods(t *testing.T) {
	a := startNode(t, func(c *devp2p.Config) { c.NoDial, c.NoDiscovery = false, false })
	api := startAdmin(t, a, nil)
	// A node in A's discovery table, for devp2p_table. Offered twice: the
	// second offer returns once the table's loop has taken the first.
	d := startNode(t, func(c *devp2p.Config) { c.NoDiscovery = false }) // a UDP endpoint, which the table wants
	a.DiscV4().Table().AddInboundNode(d.Self())
	a.DiscV4().Table().AddInboundNode(d.Self())

	events := make(chan *devp2p.PeerEvent, 64)
	sub := a.SubscribeEvents(events)
	defer sub.Unsubscribe()
	// The hello verdict comes after the peer joined. Subscribed after the
	// API's own subscription, this channel gets each verdict after the API
	// has it.
	verdictCh := make(chan *devp2p.Verdict, 64)
	vsub := a.SubscribeVerdicts(verdictCh)
	defer vsub.Unsubscribe()

	for _, name := range []string{"http", "ws", "ipc"} {
		t.Run(name, func(t *testing.T) {
			c := transports(t, api)[name]
			peer := startNode(t, nil)
			pid := peer.Self().ID()
			url := peer.Self().URLv4()

			var mods map[string]string
			mustCall(t, c, &mods, "rpc_modules")
			if !maps.Equal(mods, map[string]string{"admin": "1.0", "devp2p": "1.0", "rpc": "1.0"}) {
				t.Errorf("rpc_modules: %v", mods)
			}
			var info devp2p.NodeInfo
			mustCall(t, c, &info, "admin_nodeInfo")
			if info.ID != a.Self().ID().String() || info.Enode != a.Self().URLv4() || info.ENR != a.Self().String() ||
				info.Ports.Listener != a.Self().TCP() || info.Ports.Discovery != a.Self().UDP() || info.ListenAddr != a.ListenAddr().String() {
				t.Errorf("admin_nodeInfo: %+v", info)
			}

			// Subscriptions: WebSocket and IPC only.
			var subID string
			if name == "http" {
				if resp := callRPC(t, c, "admin_subscribe", "peerEvents"); resp.Error == nil || resp.Error.Code != CodeMethodNotFound {
					t.Errorf("admin_subscribe over HTTP: %+v", resp)
				}
			} else {
				mustCall(t, c, &subID, "admin_subscribe", "peerEvents")
				if len(subID) != 34 || !strings.HasPrefix(subID, "0x") {
					t.Errorf("subscription ID %q", subID)
				}
			}
			waitPeer := func(typ devp2p.PeerEventType) {
				t.Helper()
				if subID != "" {
					waitNotification(t, c, subID, typ, pid)
				} else {
					waitEvent(t, events, typ, pid)
				}
			}

			var ok bool
			mustCall(t, c, &ok, "admin_addPeer", url)
			if !ok {
				t.Fatal("admin_addPeer returned false")
			}
			waitPeer(devp2p.PeerEventTypeAdd)
			peerInfo := func() devp2p.PeerInfo {
				t.Helper()
				var peers []devp2p.PeerInfo
				mustCall(t, c, &peers, "admin_peers")
				for _, p := range peers {
					if p.ID == pid.String() {
						return p
					}
				}
				t.Fatalf("admin_peers has no %v: %+v", pid, peers)
				return devp2p.PeerInfo{}
			}
			if p := peerInfo(); p.Enode != url || p.Network.Inbound || !p.Network.Static || p.Network.Trusted ||
				p.Network.RemoteAddress != peer.ListenAddr().String() {
				t.Errorf("admin_peers entry: %+v", p)
			}

			mustCall(t, c, &ok, "admin_addTrustedPeer", url)
			if p := peerInfo(); !ok || !p.Network.Trusted {
				t.Errorf("after admin_addTrustedPeer: %v, %+v", ok, p.Network)
			}
			mustCall(t, c, &ok, "admin_removeTrustedPeer", peer.Self().String()) // the ENR works too
			if p := peerInfo(); !ok || p.Network.Trusted {
				t.Errorf("after admin_removeTrustedPeer: %v, %+v", ok, p.Network)
			}

			var ds DialStats
			mustCall(t, c, &ds, "devp2p_dialStats")
			if ds.StaticNodes != 1 || ds.MaxDialedPeers != a.DialStats().MaxDialedPeers {
				t.Errorf("devp2p_dialStats: %+v", ds)
			}

			var table TableInfo
			mustCall(t, c, &table, "devp2p_table")
			i := slices.IndexFunc(table.V4, func(e TableEntry) bool { return e.ID == d.Self().ID().String() })
			if i < 0 || table.V5 != nil {
				t.Fatalf("devp2p_table: %+v", table)
			}
			if e := table.V4[i]; e.Enode != d.Self().URLv4() || e.Bucket != bucketOf(a.Self().ID(), d.Self().ID()) ||
				e.LastContactAgo == nil || *e.LastContactAgo < 0 || e.AddedAgo < 0 {
				t.Errorf("devp2p_table entry: %+v", e)
			}

			for helloSeen := false; !helloSeen; {
				select {
				case v := <-verdictCh:
					helloSeen = v.ID == pid && v.Stage == devp2p.StageHello
				case <-time.After(testWait):
					t.Fatal("no hello verdict")
				}
			}
			var verdicts VerdictLog
			mustCall(t, c, &verdicts, "devp2p_verdicts")
			if !slices.ContainsFunc(verdicts.Verdicts, func(v Verdict) bool {
				return v.ID == pid.String() && v.Stage == "hello" && v.Allowed && !v.Inbound && v.Addr == peer.ListenAddr().String()
			}) {
				t.Errorf("devp2p_verdicts has no allowed hello of %v: %+v", pid, verdicts)
			}

			mustCall(t, c, &ok, "admin_removePeer", url)
			waitPeer(devp2p.PeerEventTypeDrop)
			mustCall(t, c, &ds, "devp2p_dialStats")
			if ds.StaticNodes != 0 {
				t.Errorf("static nodes after admin_removePeer: %d", ds.StaticNodes)
			}

			if subID != "" {
				mustCall(t, c, &ok, "admin_unsubscribe", subID)
				if resp := callRPC(t, c, "admin_unsubscribe", subID); resp.Error == nil || resp.Error.Code != CodeServerError {
					t.Errorf("second admin_unsubscribe: %+v", resp)
				}
			}
		})
	}
}

// bucketOf is the table's bucket index for a node at id (17 buckets, the
// log distances up to 239 in bucket 0).
func bucketOf(self, id enode.ID) int {
	if d := enode.LogDist(self, id); d > 239 {
		return d - 240
	}
	return 0
}
