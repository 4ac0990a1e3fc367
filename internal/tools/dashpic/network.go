package main

import (
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/prometheus/client_golang/prometheus"
)

// Roles in the network: node 0 is everybody's bootnode; the last node is
// the one pictured, a plain node that joins the running network last, so
// the picture starts with its bootstrap; one of the others is stopped and
// started again midway.
const (
	bootIndex    = 0
	echoEvery    = 200 * time.Millisecond // each session's ping pace
	echoBaseSize = 512                    // node i's pings carry (i+1) times this many bytes
)

// network is the servers of one run. Its methods are called from run's
// goroutine only.
type network struct {
	servers  []*devp2p.Server
	keys     []*ecdsa.PrivateKey
	boot     []*enode.Node
	maxPeers int
	logger   *slog.Logger
	reg      *prometheus.Registry // the pictured node's Config.Metrics
	down     int                  // the stopped node, -1 if none
	downAddr string               // its listen address
}

func startNetwork(n, maxPeers int, logger *slog.Logger) (*network, error) {
	nw := &network{maxPeers: maxPeers, logger: logger, reg: prometheus.NewRegistry(), down: -1}
	for range n {
		key, err := crypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		nw.keys = append(nw.keys, key)
	}
	for i := range n {
		srv, err := nw.start(i, "127.0.0.1:0")
		if err != nil {
			nw.stop()
			return nil, err
		}
		nw.servers = append(nw.servers, srv)
		if i == bootIndex {
			nw.boot = []*enode.Node{srv.Self()}
		}
	}
	return nw, nil
}

func (nw *network) start(i int, addr string) (*devp2p.Server, error) {
	cfg := devp2p.Config{
		PrivateKey:       nw.keys[i],
		MaxPeers:         nw.maxPeers,
		Name:             fmt.Sprintf("dashpic-%d", i),
		ListenAddr:       addr,
		DiscoveryV5:      true,
		BootstrapNodes:   nw.boot,
		BootstrapNodesV5: nw.boot,
		Protocols:        []devp2p.Protocol{echoProtocol((i+1)*echoBaseSize, echoEvery)},
		Logger:           nw.logger.With("node", i),
	}
	if i == nw.picturedIndex() {
		cfg.Metrics = nw.reg
	}
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start node %d: %w", i, err)
	}
	return srv, nil
}

func (nw *network) picturedIndex() int { return len(nw.keys) - 1 }

func (nw *network) pictured() *devp2p.Server { return nw.servers[nw.picturedIndex()] }

// canChurn reports whether a node other than the bootnode and the pictured
// one exists to be stopped.
func (nw *network) canChurn() bool { return len(nw.servers) > 2 }

// stopPeer stops a node other than the bootnode and the pictured one,
// preferring a peer of the pictured node, so that the picture shows the
// drop and the dials that follow. It returns the node's index.
func (nw *network) stopPeer() int {
	i := nw.picturedIndex() - 1
	for _, p := range nw.pictured().Peers() {
		if j := nw.indexOf(p.ID()); j != bootIndex && j != nw.picturedIndex() && j >= 0 {
			i = j
			break
		}
	}
	nw.down, nw.downAddr = i, nw.servers[i].ListenAddr().String()
	nw.servers[i].Stop()
	nw.servers[i] = nil
	return i
}

func (nw *network) indexOf(id enode.ID) int {
	for i, srv := range nw.servers {
		if srv != nil && srv.Self().ID() == id {
			return i
		}
	}
	return -1
}

// restartStopped starts the stopped node again with the same key, at the
// same address if that is still free (the others know it there), else at a
// new port.
func (nw *network) restartStopped() error {
	i := nw.down
	srv, err := nw.start(i, nw.downAddr)
	if err != nil {
		nw.logger.Info("old address taken, restarting on a new port", "node", i, "err", err)
		if srv, err = nw.start(i, "127.0.0.1:0"); err != nil {
			return err
		}
	}
	nw.servers[i] = srv
	return nil
}

// stop stops every running server; each Stop returns once the server's
// goroutines are gone.
func (nw *network) stop() {
	for _, srv := range nw.servers {
		if srv != nil {
			srv.Stop()
		}
	}
}
