package devp2p

import (
	"context"
	"errors"
	"net"
	"reflect"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

// TestServerDialStats: a dial to a static node that accepts TCP but never
// answers the RLPx handshake shows as a running dial.
func TestServerDialStats(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	static := enode.NewV4(&newKey(t).PublicKey, net.IP{127, 0, 0, 1}, port, 0)

	srv := newTestServer(t, func(c *Config) {
		c.NoDial = false
		c.MaxPeers = 9
		c.StaticNodes = []*enode.Node{static}
	})
	fd, err := l.Accept() // the dial is in its RLPx handshake from now on
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	st := srv.DialStats()
	want := DialStats{Dialing: 1, MaxDialedPeers: 3, StaticNodes: 1, Recent: 1, Peerless: true,
		Sources: map[string]DialSourceStats{SourceStatic: {Dials: 1}}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("DialStats while dialing: %+v\nwant %+v", st, want)
	}
	srv.Stop()
	if st := srv.DialStats(); !reflect.DeepEqual(st, DialStats{}) {
		t.Fatalf("DialStats after Stop: %+v, want zero", st)
	}
}

func TestServerDialStatsNoDial(t *testing.T) {
	srv := newTestServer(t, nil) // NoDial
	if st := srv.DialStats(); !reflect.DeepEqual(st, DialStats{}) {
		t.Fatalf("DialStats of a server that does not dial: %+v", st)
	}
	var never Server
	if st := never.DialStats(); !reflect.DeepEqual(st, DialStats{}) {
		t.Fatalf("DialStats of a server never started: %+v", st)
	}
}

// TestServerDialNetRestrict: NetRestrict applies to dialing too: a static
// node outside it is not even taken as a static node, one inside is.
func TestServerDialNetRestrict(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.NoDial = false
		c.NetRestrict = netutil.MustParseNetlist("10.0.0.0/8")
		c.Dialer = refuseDialer{} // no traffic leaves the machine
	})
	outside := enode.NewV4(&newKey(t).PublicKey, net.IP{192, 0, 2, 1}, 30303, 0)
	srv.AddPeer(outside)
	if st := srv.DialStats(); st.StaticNodes != 0 || st.Dialing != 0 {
		t.Fatalf("static node outside NetRestrict taken: %+v", st)
	}
	// The dial fails (refuseDialer), but the node is a static node.
	inside := enode.NewV4(&newKey(t).PublicKey, net.IP{10, 0, 0, 1}, 30303, 0)
	srv.AddPeer(inside)
	if st := srv.DialStats(); st.StaticNodes != 1 {
		t.Fatalf("static node inside NetRestrict not taken: %+v", st)
	}
}

// refuseDialer fails every dial at once.
type refuseDialer struct{}

func (refuseDialer) Dial(context.Context, *enode.Node) (net.Conn, error) {
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused by test")}
}
