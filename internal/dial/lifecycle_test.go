package dial

import (
	"log/slog"
	"net"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Stop ends every goroutine: the loop, the iterator reader, hanging dials,
// a running SetupFunc and the OnPeerless hook. The synctest bubble fails the
// test if any goroutine is left; API calls after Stop return at once.
func TestStopEndsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		setupBlock := make(chan struct{})
		h := newHarness(t, Config{
			MaxDialPeers:  10,
			Bootnodes:     []*enode.Node{testNode(900)},
			OnPeerless:    func() { <-setupBlock },
			PeerlessDelay: time.Second,
		})
		h.setDial(hangDial)
		h.feed(testNode(1), testNode(2))
		h.sched.AddStatic(testNode(3))
		h.run(2*time.Second, time.Second) // hook now running
		if st := h.sched.Stats(); st.Dialing != 4 {
			t.Fatalf("dialing = %d, want 4", st.Dialing)
		}
		go func() {
			// The hook and setup are released once Stop has begun.
			<-h.iter.closed
			close(setupBlock)
		}()
		h.sched.Stop()
		h.sched.Stop() // idempotent
		h.sched.AddStatic(testNode(4))
		h.sched.RemoveStatic(testNode(4))
		h.sched.PeerAdded(testNode(5), Inbound)
		h.sched.PeerRemoved(testNode(5), Inbound, nil)
		if st := h.sched.Stats(); !reflect.DeepEqual(st, Stats{}) {
			t.Fatalf("stats after stop = %+v", st)
		}
		for _, ev := range h.eventsOf(EventDialDone) {
			if ev.Err == nil {
				t.Fatal("dial succeeded during Stop")
			}
		}
	})
}

// The default TCP dialer against a real loopback listener, with the real
// clock; and no goroutine left after Stop.
func TestTCPDialerLoopback(t *testing.T) {
	before := runtime.NumGoroutine()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	n := testNodeAt(1, netip.MustParseAddr("127.0.0.1"), port)

	connected := make(chan *enode.Node, 1)
	s := New(Config{Logger: slog.New(slog.DiscardHandler)}, nil, func(fd net.Conn, flags Flags, dest *enode.Node) error {
		fd.Close()
		if flags != StaticDialed {
			t.Errorf("flags %v", flags)
		}
		connected <- dest
		return nil
	})
	s.AddStatic(n)
	select {
	case got := <-connected:
		if got.ID() != n.ID() {
			t.Fatal("wrong node")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no connection")
	}
	s.Stop()
	l.Close()
	<-acceptDone
	// A dial task past its wg.Done may still be exiting when Stop returns;
	// yield until it is gone (bounded: a real leak still fails below).
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if g := runtime.NumGoroutine(); g > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Stop, %d before:\n%s", g, before, buf[:runtime.Stack(buf, true)])
	}
}
