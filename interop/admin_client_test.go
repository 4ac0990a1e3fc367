package interop

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/admin"
)

// TestAdminGethClient drives our admin API with go-ethereum's own RPC
// client, the one behind `geth attach`, over HTTP, WebSocket and IPC:
// rpc_modules, admin_nodeInfo, admin_addPeer, admin_peers in a batch, and
// the peerEvents subscription through the client's Subscribe.
func TestAdminGethClient(t *testing.T) {
	recv := make(chan received, 100)
	osrv := newOurServer(t, recv)
	dir, err := os.MkdirTemp("", "adm") // short: a socket path has at most 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	api, err := admin.New(osrv, admin.Config{HTTPAddr: "127.0.0.1:0", IPCPath: filepath.Join(dir, "devp2p.ipc")})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	ctx, cancel := context.WithTimeout(context.Background(), serverTestWait)
	defer cancel()

	for _, endpoint := range []string{
		"http://" + api.HTTPAddr().String() + "/",
		"ws://" + api.HTTPAddr().String() + "/",
		api.IPCPath(),
	} {
		t.Run(endpoint[:2], func(t *testing.T) {
			c, err := rpc.DialContext(ctx, endpoint)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			mods, err := c.SupportedModules()
			if err != nil || mods["admin"] != "1.0" {
				t.Errorf("rpc_modules: %v, %v", mods, err)
			}
			var info p2p.NodeInfo
			if err := c.CallContext(ctx, &info, "admin_nodeInfo"); err != nil || info.ID != osrv.Self().ID().String() {
				t.Errorf("admin_nodeInfo: %+v, %v", info, err)
			}

			var sub *rpc.ClientSubscription
			events := make(chan *p2p.PeerEvent, 16)
			if endpoint[:2] != "ht" {
				if sub, err = c.Subscribe(ctx, "admin", events, "peerEvents"); err != nil {
					t.Fatalf("subscribe: %v", err)
				}
				defer sub.Unsubscribe()
			}
			gsrv := newGethServer(t, recv)
			oevents := make(chan *devp2p.PeerEvent, 16) // for HTTP, which has no subscriptions
			osub := osrv.SubscribeEvents(oevents)
			defer osub.Unsubscribe()
			var ok bool
			if err := c.CallContext(ctx, &ok, "admin_addPeer", gsrv.Self().URLv4()); err != nil || !ok {
				t.Fatalf("admin_addPeer: %v, %v", ok, err)
			}
			if sub != nil {
				// Events of the previous subtest's peer may come first.
				for done := false; !done; {
					select {
					case ev := <-events:
						done = ev.Type == p2p.PeerEventTypeAdd && ev.Peer == gsrv.Self().ID()
					case err := <-sub.Err():
						t.Fatalf("subscription: %v", err)
					case <-time.After(serverTestWait):
						t.Fatal("no add event for the geth node")
					}
				}
			}
			for ev := waitEventType(t, oevents, devp2p.PeerEventTypeAdd); ev.Peer.String() != gsrv.Self().ID().String(); {
				ev = waitEventType(t, oevents, devp2p.PeerEventTypeAdd)
			}
			var peers []*p2p.PeerInfo
			var bad bool
			batch := []rpc.BatchElem{
				{Method: "admin_peers", Result: &peers},
				{Method: "admin_removePeer", Args: []any{"enode://bad"}, Result: &bad},
			}
			if err := c.BatchCallContext(ctx, batch); err != nil || batch[0].Error != nil || batch[1].Error == nil {
				t.Fatalf("batch: %v, %v, %v", err, batch[0].Error, batch[1].Error)
			}
			if rerr, ok := batch[1].Error.(rpc.Error); !ok || rerr.ErrorCode() != admin.CodeInvalidParams {
				t.Errorf("bad enode in a batch: %v", batch[1].Error)
			}
			found := false
			for _, p := range peers {
				found = found || p.ID == gsrv.Self().ID().String()
			}
			if !found {
				t.Errorf("admin_peers lacks the added geth node: %d peers", len(peers))
			}
			if err := c.CallContext(ctx, &ok, "admin_removePeer", gsrv.Self().URLv4()); err != nil || !ok {
				t.Errorf("admin_removePeer: %v, %v", ok, err)
			}
		})
	}
}
