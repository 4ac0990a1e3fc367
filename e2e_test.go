package devp2p

import (
	"fmt"
	"testing"
	"time"
)

type e2eRecv struct {
	at, from, proto string
}

// TestEndToEnd runs five servers on loopback, connects them all with
// AddPeer, has every pair exchange messages on two protocols in both
// directions, then stops everything and checks no goroutine is left.
func TestEndToEnd(t *testing.T) {
	const n = 5
	recv := make(chan e2eRecv, n*n*4)
	mkProto := func(name string, version uint, self string) Protocol {
		return Protocol{
			Name: name, Version: version, Length: 2,
			Run: func(p *Peer, rw MsgReadWriter) error {
				if err := Send(rw, 1, self); err != nil {
					return err
				}
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					var from string
					if err := msg.Decode(&from); err != nil {
						return err
					}
					recv <- e2eRecv{at: self, from: from, proto: name}
				}
			},
		}
	}
	servers := make([]*Server, n)
	for i := range servers {
		name := fmt.Sprintf("node%d", i)
		protos := []Protocol{mkProto("alpha", 1, name), mkProto("beta", 2, name)}
		if i%2 == 0 {
			protos = append(protos, mkProto("beta", 1, name)) // several versions: beta/2 must win
		}
		servers[i] = &Server{Config: Config{
			PrivateKey: newKey(t), MaxPeers: 10, Name: name,
			ListenAddr: "127.0.0.1:0", Protocols: protos, Logger: testLogger(t),
		}}
		if err := servers[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
		checkNoGoroutines(t)
	}()
	for i := range servers {
		for j := i + 1; j < n; j++ {
			servers[i].AddPeer(servers[j].Self())
		}
	}
	got := make(map[e2eRecv]bool)
	timeout := time.After(testWait)
	for len(got) < n*(n-1)*2 {
		select {
		case r := <-recv:
			if got[r] {
				t.Fatalf("duplicate message %+v", r)
			}
			got[r] = true
		case <-timeout:
			t.Fatalf("got %d of %d messages", len(got), n*(n-1)*2)
		}
	}
	for i, s := range servers {
		if c := s.PeerCount(); c != n-1 {
			t.Errorf("server %d has %d peers, want %d", i, c, n-1)
		}
		for _, p := range s.Peers() {
			if !p.RunningCap("beta", []uint{2}) || !p.RunningCap("alpha", []uint{1}) {
				t.Errorf("server %d peer %v runs %v", i, p.ID().TerminalString(), p.running)
			}
			if tr := p.Traffic(); tr.MessagesIn < 2 || tr.BytesOut == 0 {
				t.Errorf("peer traffic not counted: %+v", tr)
			}
		}
		if tr := s.Traffic(); tr.MessagesIn < uint64(2*(n-1)) {
			t.Errorf("server traffic %+v", tr)
		}
	}
}
