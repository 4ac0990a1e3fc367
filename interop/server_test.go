package interop

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	glog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

const serverTestWait = 20 * time.Second

// itestMsg is what each side sends on the shared protocol: who sent it, and
// a compressible blob so that snappy has something to do.
type itestMsg struct {
	From string
	Blob []byte
}

var itestBlob = bytes.Repeat([]byte("devp2p interop "), 4096) // 60 KiB

type received struct {
	side, from string
	version    uint
	blobOK     bool
}

func newGethServer(t *testing.T, recv chan<- received) *p2p.Server {
	t.Helper()
	key, err := gcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var protos []p2p.Protocol
	for _, v := range []uint{1, 2} {
		protos = append(protos, p2p.Protocol{
			Name: "itest", Version: v, Length: 2,
			Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
				if err := p2p.Send(rw, 1, itestMsg{From: "geth", Blob: itestBlob}); err != nil {
					return err
				}
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					var m itestMsg
					if err := msg.Decode(&m); err != nil {
						return err
					}
					recv <- received{side: "geth", from: m.From, version: v, blobOK: bytes.Equal(m.Blob, itestBlob)}
				}
			},
		})
	}
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:  key,
		MaxPeers:    10,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		Protocols:   protos,
		Name:        "geth-interop",
		Logger:      glog.NewLogger(glog.DiscardHandler()),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func newOurServer(t *testing.T, recv chan<- received) *devp2p.Server {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var protos []devp2p.Protocol
	for _, v := range []uint{1, 2, 3} { // 3 is ours only: 2 must be chosen
		protos = append(protos, devp2p.Protocol{
			Name: "itest", Version: v, Length: 2,
			Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
				if err := devp2p.Send(rw, 1, itestMsg{From: "ours", Blob: itestBlob}); err != nil {
					return err
				}
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					var m itestMsg
					if err := msg.Decode(&m); err != nil {
						return err
					}
					recv <- received{side: "ours", from: m.From, version: v, blobOK: bytes.Equal(m.Blob, itestBlob)}
				}
			},
		})
	}
	level := slog.LevelInfo
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	srv := &devp2p.Server{Config: devp2p.Config{
		PrivateKey: key,
		MaxPeers:   10,
		ListenAddr: "127.0.0.1:0",
		Protocols:  protos,
		Name:       "devp2p-interop",
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

// TestServerInterop connects a go-ethereum p2p.Server and ours in both
// directions: they agree on itest/2, exchange snappy-compressed messages
// both ways, and each reports the reason the other gave for disconnecting.
func TestServerInterop(t *testing.T) {
	for _, dir := range []string{"ours dials geth", "geth dials ours"} {
		t.Run(dir, func(t *testing.T) {
			recv := make(chan received, 10)
			gsrv := newGethServer(t, recv)
			osrv := newOurServer(t, recv)
			gevents := make(chan *p2p.PeerEvent, 100)
			gsub := gsrv.SubscribeEvents(gevents)
			defer gsub.Unsubscribe()
			oevents := make(chan *devp2p.PeerEvent, 100)
			osub := osrv.SubscribeEvents(oevents)
			defer osub.Unsubscribe()

			gethNode := enode.MustParse(gsrv.Self().URLv4())
			ourNode := genode.MustParse(osrv.Self().URLv4())
			if dir == "ours dials geth" {
				osrv.AddPeer(gethNode)
			} else {
				gsrv.AddPeer(ourNode)
			}

			// Both sides run itest/2 and receive the other's message intact.
			got := map[string]received{}
			timeout := time.After(serverTestWait)
			for len(got) < 2 {
				select {
				case r := <-recv:
					got[r.side] = r
				case <-timeout:
					t.Fatalf("messages received: %+v", got)
				}
			}
			for side, r := range got {
				other := map[string]string{"ours": "geth", "geth": "ours"}[side]
				if r.from != other || r.version != 2 || !r.blobOK {
					t.Errorf("%s received %+v, want from %s on version 2 with the blob", side, r, other)
				}
			}
			peers := osrv.Peers()
			if len(peers) != 1 {
				t.Fatalf("ours has %d peers", len(peers))
			}
			op := peers[0]
			if op.Name() != "geth-interop" || !op.RunningCap("itest", []uint{2}) {
				t.Errorf("our view of geth: name %q caps %v", op.Name(), op.Caps())
			}
			if dir == "ours dials geth" == op.Inbound() {
				t.Errorf("our peer Inbound() = %v in %q", op.Inbound(), dir)
			}
			if tr := op.Traffic(); tr.BytesIn == 0 || tr.BytesIn > uint64(len(itestBlob)) {
				t.Errorf("traffic %+v: want compressed bytes in, below the %d-byte blob", tr, len(itestBlob))
			}

			// Ours disconnects with a reason in one direction, geth in the other.
			var wantGeth, wantOurs string
			if dir == "ours dials geth" {
				op.Disconnect(devp2p.DiscUselessPeer)
				wantGeth = p2p.DiscUselessPeer.Error()
				wantOurs = devp2p.DiscUselessPeer.Error()
			} else {
				gp := gsrv.Peers()
				if len(gp) != 1 {
					t.Fatalf("geth has %d peers", len(gp))
				}
				gp[0].Disconnect(p2p.DiscTooManyPeers)
				wantGeth = p2p.DiscTooManyPeers.Error()
				wantOurs = devp2p.DiscTooManyPeers.Error()
			}
			gev := waitGethDrop(t, gevents)
			oev := waitOurDrop(t, oevents)
			if gev.Error != wantGeth {
				t.Errorf("geth reports drop %q, want %q", gev.Error, wantGeth)
			}
			if oev.Error != wantOurs {
				t.Errorf("ours reports drop %q, want %q", oev.Error, wantOurs)
			}
			if dir == "geth dials ours" {
				gsrv.RemovePeer(ourNode) // stop geth redialing
			} else {
				osrv.RemovePeer(gethNode)
			}
		})
	}
}

func waitGethDrop(t *testing.T, ch <-chan *p2p.PeerEvent) *p2p.PeerEvent {
	t.Helper()
	timeout := time.After(serverTestWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == p2p.PeerEventTypeDrop {
				return ev
			}
		case <-timeout:
			t.Fatal("geth: no drop event")
		}
	}
}

func waitOurDrop(t *testing.T, ch <-chan *devp2p.PeerEvent) *devp2p.PeerEvent {
	t.Helper()
	timeout := time.After(serverTestWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == devp2p.PeerEventTypeDrop {
				return ev
			}
		case <-timeout:
			t.Fatal("ours: no drop event")
		}
	}
}

var _ = fmt.Sprint
var _ = strings.Contains
