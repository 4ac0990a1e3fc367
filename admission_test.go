package devp2p

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// These tests drive the admission value alone: connections are bare conn
// values (a node and flags), sessions bare Peers; no socket, no goroutine.

// admTest wraps an admission with the run loop's reactions, recording the
// peer events the server would send.
type admTest struct {
	t      *testing.T
	a      *admission
	events []string
	names  map[*conn]string
}

func newAdmTest(t *testing.T, self enode.ID, mod func(*Config)) *admTest {
	cfg := Config{MaxPeers: 10, DialRatio: defaultDialRatio, Protocols: []Protocol{echoProto("test", 1, nil)}}
	if mod != nil {
		mod(&cfg)
	}
	return &admTest{t: t, a: newAdmission(self, &cfg), names: make(map[*conn]string)}
}

func (at *admTest) conn(name string, remote enode.ID, flags connFlag) *conn {
	c := &conn{node: enode.SignNull(new(enr.Record), remote), caps: []Cap{{"test", 1}}}
	c.flags.Store(uint32(flags))
	at.names[c] = name
	return c
}

// add runs the add step and the run loop's reaction; a replaced peer's
// session ends at once. It returns the refusal, if any.
func (at *admTest) add(c *conn) error {
	d := at.a.add(c)
	switch {
	case d.refuse != nil:
		return d.refuse
	case d.replace != nil:
		at.drop(d.replace)
	default:
		at.start(c)
	}
	return nil
}

func (at *admTest) start(c *conn) {
	at.a.added(&Peer{rw: c})
	at.events = append(at.events, "add "+at.names[c])
}

func (at *admTest) drop(p *Peer) {
	w := at.a.dropped(p)
	at.events = append(at.events, "drop "+at.names[p.rw])
	if w != nil {
		at.start(w)
	}
}

// tieBreakOrders are the orders in which the winner W and the loser L of
// a simultaneous dial can take their secured and add steps, each
// connection's secured step coming before its add step.
var tieBreakOrders = [][4]string{
	{"Wsecured", "Wadd", "Lsecured", "Ladd"},
	{"Wsecured", "Lsecured", "Wadd", "Ladd"},
	{"Wsecured", "Lsecured", "Ladd", "Wadd"},
	{"Lsecured", "Wsecured", "Wadd", "Ladd"},
	{"Lsecured", "Wsecured", "Ladd", "Wadd"},
	loserAddedFirst,
}

// loserAddedFirst is the one order in which L becomes a peer (and is
// seen added and dropped) before W replaces it.
var loserAddedFirst = [4]string{"Lsecured", "Ladd", "Wsecured", "Wadd"}

// idPair returns two IDs, the first lower than the second.
func idPair() (lo, hi enode.ID) {
	lo[0], hi[0] = 1, 2
	return lo, hi
}

// TestAdmissionTieBreakOrders puts the two connections of a simultaneous
// dial, the winner W (dialed by the lower ID) and the loser L, through the
// secured and add steps in every order in which each connection's secured
// step comes before its add step, for both ID orders. W must be the only
// peer every time and L refused with DiscAlreadyConnected; L shows up as a
// peer (add, drop) only when it was added before W's secured step.
func TestAdmissionTieBreakOrders(t *testing.T) {
	for _, selfLower := range []bool{true, false} {
		for _, order := range tieBreakOrders {
			t.Run(fmt.Sprintf("selfLower=%v/%s", selfLower, strings.Join(order[:], ",")), func(t *testing.T) {
				self, remote := idPair()
				if !selfLower {
					self, remote = remote, self
				}
				at := newAdmTest(t, self, nil)
				// W is the connection the lower ID dialed: ours when we are
				// lower, the remote's (inbound here) otherwise.
				wFlags, lFlags := staticDialedConn, inboundConn
				if !selfLower {
					wFlags, lFlags = inboundConn, staticDialedConn
				}
				conns := map[byte]*conn{'W': at.conn("W", remote, wFlags), 'L': at.conn("L", remote, lFlags)}
				refused := map[byte]error{}
				for _, step := range order {
					who := step[0]
					if refused[who] != nil {
						continue // a refused connection takes no further step
					}
					switch step[1:] {
					case "secured":
						refused[who] = at.a.secured(conns[who])
					case "add":
						refused[who] = at.add(conns[who])
					}
				}
				if err := refused['W']; err != nil {
					t.Fatalf("W refused: %v", err)
				}
				lDropped := slices.Contains(at.events, "drop L")
				if err := refused['L']; !errors.Is(err, DiscAlreadyConnected) && !lDropped {
					t.Fatalf("L: refused with %v and not dropped, want %v", err, DiscAlreadyConnected)
				}
				if len(at.a.peers) != 1 || at.a.peers[remote].rw != conns['W'] {
					t.Fatalf("peers %v, want W only", at.a.peers)
				}
				var want []string
				if order == loserAddedFirst {
					want = append(want, "add L", "drop L")
				}
				want = append(want, "add W")
				if !slices.Equal(at.events, want) {
					t.Errorf("events %q, want %q", at.events, want)
				}
				if len(at.a.setups) != 0 || len(at.a.waiting) != 0 {
					t.Errorf("left over: setups %v, waiting %v", at.a.setups, at.a.waiting)
				}
				wantInbound := 0
				if !selfLower {
					wantInbound = 1
				}
				if at.a.inbound != wantInbound {
					t.Errorf("inbound count %d, want %d", at.a.inbound, wantInbound)
				}
			})
		}
	}
}

// TestAdmissionDecisions covers the rules one by one: each case sets up
// peers and connections in setup, then takes one connection through its
// steps and checks the verdict.
func TestAdmissionDecisions(t *testing.T) {
	self, _ := idPair()
	var nextID byte = 10
	fresh := func() enode.ID { nextID++; return enode.ID{nextID} }
	tests := []struct {
		name    string
		cfg     func(*Config)
		prepare func(e *admEnv)
		flags   connFlag
		caps    []Cap
		self    bool // the connection comes from ourselves
		secured error
		add     error
	}{
		{name: "inbound allowed", flags: inboundConn},
		{name: "dialed allowed", flags: dynDialedConn},
		{name: "self", flags: inboundConn, self: true, secured: DiscSelf},
		{name: "no shared protocol", flags: inboundConn, caps: []Cap{{"other", 1}}, add: DiscUselessPeer},
		{name: "no protocols configured", cfg: func(c *Config) { c.Protocols = nil }, flags: inboundConn, caps: []Cap{{"other", 1}}},
		{
			name: "max peers", cfg: func(c *Config) { c.MaxPeers = 2 }, flags: dynDialedConn, secured: DiscTooManyPeers,
			prepare: func(e *admEnv) { e.peer(fresh(), inboundConn); e.peer(fresh(), dynDialedConn) },
		},
		{
			name: "inbound share", cfg: func(c *Config) { c.MaxPeers = 3 }, flags: inboundConn, secured: DiscTooManyPeers,
			prepare: func(e *admEnv) { e.peer(fresh(), inboundConn); e.peer(fresh(), inboundConn) },
		},
		{
			name: "dialed beyond the inbound share", cfg: func(c *Config) { c.MaxPeers = 3 }, flags: dynDialedConn,
			prepare: func(e *admEnv) { e.peer(fresh(), inboundConn); e.peer(fresh(), inboundConn) },
		},
		{
			name: "trusted beyond max peers", flags: inboundConn,
			cfg: func(c *Config) { c.MaxPeers = 1 },
			prepare: func(e *admEnv) {
				e.peer(fresh(), dynDialedConn)
				e.at.a.trust(e.remote, true)
			},
		},
		{
			name: "untrusted again", flags: inboundConn, secured: DiscTooManyPeers,
			cfg: func(c *Config) { c.MaxPeers = 1 },
			prepare: func(e *admEnv) {
				e.peer(fresh(), dynDialedConn)
				e.at.a.trust(e.remote, true)
				e.at.a.trust(e.remote, false)
			},
		},
		{
			name: "limits checked again after hello", cfg: func(c *Config) { c.MaxPeers = 2 }, flags: inboundConn, add: DiscTooManyPeers,
			prepare: func(e *admEnv) {
				// Another node's connection passes its secured step first
				// and becomes a peer before ours reaches its add step.
				o := e.at.conn("other", fresh(), inboundConn)
				e.later = func() {
					if err := e.at.a.secured(o); err != nil {
						t.Fatalf("other refused: %v", err)
					}
					if err := e.at.add(o); err != nil {
						t.Fatalf("other refused: %v", err)
					}
				}
			},
		},
		{
			name: "same direction as a peer", flags: inboundConn, secured: DiscAlreadyConnected,
			prepare: func(e *admEnv) { e.peer(e.remote, inboundConn) },
		},
		{
			name: "same direction as a setup", flags: dynDialedConn, secured: DiscAlreadyConnected,
			prepare: func(e *admEnv) { e.setup(e.remote, staticDialedConn) },
		},
		{
			name: "a winner waits for the peer it replaces", flags: dynDialedConn, secured: DiscAlreadyConnected,
			prepare: func(e *admEnv) {
				// We have the lower ID: our dialed connection beats the
				// remote's inbound one, which runs as a peer until its
				// drop arrives.
				e.peer(e.remote, inboundConn)
				w := e.at.conn("w", e.remote, staticDialedConn)
				if err := e.at.a.secured(w); err != nil {
					t.Fatalf("winner refused: %v", err)
				}
				if d := e.at.a.add(w); d.refuse != nil || d.replace == nil {
					t.Fatalf("winner: %+v, want it to replace the peer", d)
				}
			},
		},
		{
			name: "setup ended lets the next one in", flags: inboundConn,
			prepare: func(e *admEnv) {
				c := e.setup(e.remote, inboundConn)
				e.at.a.setupEnded(c)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &admEnv{at: newAdmTest(t, self, tt.cfg), remote: fresh()}
			if tt.prepare != nil {
				tt.prepare(e)
			}
			remote := e.remote
			if tt.self {
				remote = self
			}
			c := e.at.conn("c", remote, tt.flags)
			if tt.caps != nil {
				c.caps = tt.caps
			}
			if err := e.at.a.secured(c); !errors.Is(err, tt.secured) || (err == nil) != (tt.secured == nil) {
				t.Fatalf("secured: %v, want %v", err, tt.secured)
			} else if err != nil {
				return
			}
			if e.later != nil {
				e.later()
			}
			if err := e.at.add(c); (err == nil) != (tt.add == nil) || !errors.Is(err, tt.add) {
				t.Fatalf("add: %v, want %v", err, tt.add)
			}
		})
	}
}

// admEnv is one case of TestAdmissionDecisions: the admission under test,
// the remote node of the connection decided on, and a step to run between
// its secured and add steps.
type admEnv struct {
	at     *admTest
	remote enode.ID
	later  func()
}

// peer adds a running peer with the given remote.
func (e *admEnv) peer(id enode.ID, flags connFlag) {
	e.at.t.Helper()
	c := e.at.conn("peer", id, flags)
	if err := e.at.a.secured(c); err != nil {
		e.at.t.Fatalf("preparing peer: %v", err)
	}
	if err := e.at.add(c); err != nil {
		e.at.t.Fatalf("preparing peer: %v", err)
	}
}

// setup registers a connection that passed its secured step.
func (e *admEnv) setup(id enode.ID, flags connFlag) *conn {
	e.at.t.Helper()
	c := e.at.conn("setup", id, flags)
	if err := e.at.a.secured(c); err != nil {
		e.at.t.Fatalf("preparing setup: %v", err)
	}
	return c
}

// TestAdmissionTrust: trusting a node marks its running peer at once, and
// distrusting it clears the mark.
func TestAdmissionTrust(t *testing.T) {
	self, remote := idPair()
	at := newAdmTest(t, self, nil)
	c := at.conn("c", remote, inboundConn)
	if err := at.a.secured(c); err != nil {
		t.Fatal(err)
	}
	if err := at.add(c); err != nil {
		t.Fatal(err)
	}
	at.a.trust(remote, true)
	if !c.is(trustedConn) {
		t.Fatal("peer not marked trusted")
	}
	at.a.trust(remote, false)
	if c.is(trustedConn) {
		t.Fatal("peer still marked trusted")
	}
}
