package interop

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/admin"
	"github.com/devp2p-go/devp2p/enode"
)

// TestAdminShapes: what our admin API returns decodes into go-ethereum's
// own types with unknown fields disallowed, and what go-ethereum's Server
// returns decodes into ours the same way, for admin_nodeInfo, admin_peers
// and the peerEvents subscription's events. The two servers are peered and
// run a protocol, so every field has a value.
func TestAdminShapes(t *testing.T) {
	recv := make(chan received, 10)
	gsrv := newGethServer(t, recv)
	osrv := newOurServer(t, recv)
	gevents := make(chan *p2p.PeerEvent, 100)
	gsub := gsrv.SubscribeEvents(gevents)
	defer gsub.Unsubscribe()
	oevents := make(chan *devp2p.PeerEvent, 100)
	osub := osrv.SubscribeEvents(oevents)
	defer osub.Unsubscribe()
	osrv.AddPeer(enode.MustParse(gsrv.Self().URLv4()))
	timeout := time.After(serverTestWait)
	for range 2 { // each side got the other's message: both run itest/2
		select {
		case <-recv:
		case <-timeout:
			t.Fatal("no protocol messages")
		}
	}

	api, err := admin.New(osrv, admin.Config{HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	url := "http://" + api.HTTPAddr().String() + "/"

	// Ours into theirs.
	var gpeers []*p2p.PeerInfo
	strictDecode(t, adminCall(t, url, "admin_peers"), &gpeers)
	if len(gpeers) != 1 || gpeers[0].ID != gsrv.Self().ID().String() || gpeers[0].Name != "geth-interop" ||
		gpeers[0].Network.Inbound || !gpeers[0].Network.Static || gpeers[0].Enode == "" ||
		len(gpeers[0].Caps) != 2 || gpeers[0].Protocols["itest"] != "unknown" {
		t.Errorf("our admin_peers as go-ethereum's: %+v", gpeers)
	}
	var gnode p2p.NodeInfo
	strictDecode(t, adminCall(t, url, "admin_nodeInfo"), &gnode)
	if gnode.ID != osrv.Self().ID().String() || gnode.Enode != osrv.Self().URLv4() || gnode.ENR != osrv.Self().String() ||
		gnode.Ports.Listener != osrv.Self().TCP() || gnode.Name != "devp2p-interop" || gnode.Protocols["itest"] == nil {
		t.Errorf("our admin_nodeInfo as go-ethereum's: %+v", gnode)
	}

	// Theirs into ours.
	var opeers []*devp2p.PeerInfo
	strictDecode(t, mustJSON(t, gsrv.PeersInfo()), &opeers)
	if len(opeers) != 1 || opeers[0].ID != osrv.Self().ID().String() || opeers[0].Name != "devp2p-interop" ||
		!opeers[0].Network.Inbound || opeers[0].Network.RemoteAddress == "" || opeers[0].Protocols["itest"] != "unknown" {
		t.Errorf("go-ethereum's peers as ours: %s", mustJSON(t, opeers))
	}
	var onode devp2p.NodeInfo
	strictDecode(t, mustJSON(t, gsrv.NodeInfo()), &onode)
	if onode.ID != gsrv.Self().ID().String() || onode.Enode != gsrv.Self().URLv4() || onode.ENR != gsrv.Self().String() ||
		onode.Name != "geth-interop" || onode.ListenAddr == "" || onode.Protocols["itest"] == nil {
		t.Errorf("go-ethereum's node info as ours: %+v", onode)
	}

	// Peer events, both ways: the add events of this session.
	oev := waitEventType(t, oevents, devp2p.PeerEventTypeAdd)
	var asGeth p2p.PeerEvent
	strictDecode(t, mustJSON(t, oev), &asGeth)
	if asGeth.Type != p2p.PeerEventTypeAdd || asGeth.Peer.String() != oev.Peer.String() || asGeth.RemoteAddress != oev.RemoteAddress {
		t.Errorf("our event as go-ethereum's: %+v", asGeth)
	}
	var gev *p2p.PeerEvent
	select {
	case gev = <-gevents:
	case <-time.After(serverTestWait):
		t.Fatal("no go-ethereum event")
	}
	var asOurs devp2p.PeerEvent
	strictDecode(t, mustJSON(t, gev), &asOurs)
	if string(asOurs.Type) != string(gev.Type) || asOurs.Peer.String() != gev.Peer.String() {
		t.Errorf("go-ethereum's event as ours: %+v", asOurs)
	}
}

// adminCall posts a JSON-RPC call without params and returns its result.
func adminCall(t *testing.T, url, method string) []byte {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":[]}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Result json.RawMessage
		Error  *struct{ Message string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.Error != nil {
		t.Fatalf("%s: %v %+v", method, err, r.Error)
	}
	return r.Result
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// strictDecode decodes data into out and fails on fields out does not have.
func strictDecode(t *testing.T, data []byte, out any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("decoding %s into %T: %v", data, out, err)
	}
}

func waitEventType(t *testing.T, ch <-chan *devp2p.PeerEvent, typ devp2p.PeerEventType) *devp2p.PeerEvent {
	t.Helper()
	timeout := time.After(serverTestWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}
