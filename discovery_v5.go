package devp2p

import (
	"fmt"
	"net"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/discover/v5"
)

// Discovery v5 wiring (issue 10). With Config.DiscoveryV5, discv5 runs on
// the same UDP socket as discv4, as deployed clients do: discv4 reads the
// socket and hands every datagram it cannot decode to discv5 through its
// Unhandled channel. discv5 seeds from Config.BootstrapNodesV5 and the node
// database, and its lookup iterator joins discv4's in the dialer's mix.

// unhandledQueue is how many datagrams discv4 may have handed over that
// discv5 has not taken yet; more are dropped (discv4 never blocks on it).
const unhandledQueue = 128

// discV5State is the Server's discv5 part. Set by Start, read-only after.
type discV5State struct {
	udp       *v5.UDPv5 // nil unless DiscoveryV5 runs
	unhandled chan v4.ReadPacket
	quit      chan struct{}
	done      chan struct{}
}

// discV5Unhandled returns the channel discv4 passes foreign packets to, or
// nil when discv5 is off. setupDiscovery calls it while configuring discv4.
func (srv *Server) discV5Unhandled() chan v4.ReadPacket {
	if !srv.cfg.DiscoveryV5 {
		return nil
	}
	srv.disc.v5.unhandled = make(chan v4.ReadPacket, unhandledQueue)
	return srv.disc.v5.unhandled
}

// setupDiscoveryV5 starts discv5 on discv4's socket. setupDiscovery calls
// it once discv4 runs; on error nothing of discv5 is left running.
func (srv *Server) setupDiscoveryV5(conn *net.UDPConn) error {
	st := &srv.disc.v5
	if st.unhandled == nil {
		return nil
	}
	in := make(chan v5.ReadPacket)
	udp, err := v5.ListenV5(conn, srv.localnode, v5.Config{
		PrivateKey: srv.cfg.PrivateKey,
		TableConfig: discover.TableConfig{
			DB:          srv.nodedb,
			Bootnodes:   srv.cfg.BootstrapNodesV5,
			NetRestrict: srv.cfg.NetRestrict,
		},
		Unhandled: in,
		Clock:     srv.clock,
		Logger:    srv.log,
	})
	if err != nil {
		return fmt.Errorf("devp2p: discovery v5: %w", err)
	}
	st.udp, st.quit, st.done = udp, make(chan struct{}), make(chan struct{})
	go forwardV4Unhandled(st.unhandled, in, st.quit, st.done)
	if !srv.cfg.NoDial {
		srv.mix.AddSource(udp.RandomNodes())
	}
	srv.log.Debug("Discovery v5 started", "addr", conn.LocalAddr(), "bootnodes", len(srv.cfg.BootstrapNodesV5))
	return nil
}

// forwardV4Unhandled moves packets from discv4's channel to discv5's.
func forwardV4Unhandled(from <-chan v4.ReadPacket, to chan<- v5.ReadPacket, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case p := <-from:
			select {
			case to <- v5.ReadPacket{Data: p.Data, Addr: p.Addr}:
			case <-quit:
				return
			}
		case <-quit:
			return
		}
	}
}

// stopDiscoveryV5 stops discv5 (not the socket: discv4 owns it). It is
// idempotent; stopDiscovery calls it first.
func (srv *Server) stopDiscoveryV5() {
	st := &srv.disc.v5
	if st.udp == nil {
		return
	}
	select {
	case <-st.quit:
	default:
		close(st.quit)
	}
	<-st.done
	st.udp.Close()
}

// DiscV5 returns the discv5 engine, or nil when it does not run. For status
// displays, tools and TALKREQ handlers (RegisterTalkHandler).
func (srv *Server) DiscV5() *v5.UDPv5 { return srv.disc.v5.udp }
