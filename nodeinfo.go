package devp2p

import (
	"cmp"
	"slices"
)

// NodeInfo describes the local node in the shape Ethereum clients return
// from admin_nodeInfo.
type NodeInfo struct {
	ID    string `json:"id"`    // node ID, hex
	Name  string `json:"name"`  // client name sent in Hello
	Enode string `json:"enode"` // enode:// URL
	ENR   string `json:"enr"`   // signed node record, "enr:…"
	IP    string `json:"ip"`
	Ports struct {
		Discovery int `json:"discovery"` // UDP port, 0 without discovery
		Listener  int `json:"listener"`  // TCP port
	} `json:"ports"`
	ListenAddr string         `json:"listenAddr"`
	Protocols  map[string]any `json:"protocols"`
}

// PeerInfo describes a connected peer in the shape Ethereum clients return
// from admin_peers.
type PeerInfo struct {
	ENR     string   `json:"enr,omitempty"`
	Enode   string   `json:"enode"`
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Caps    []string `json:"caps"`
	Network struct {
		LocalAddress  string `json:"localAddress"`
		RemoteAddress string `json:"remoteAddress"`
		Inbound       bool   `json:"inbound"`
		Trusted       bool   `json:"trusted"`
		Static        bool   `json:"static"`
	} `json:"network"`
	// Protocols holds each running protocol's PeerInfo: "unknown" when
	// the protocol has no PeerInfo function, "handshake" when it returns
	// nil, as go-ethereum reports them.
	Protocols map[string]any `json:"protocols"`
}

// NodeInfo returns information about the local node.
func (srv *Server) NodeInfo() *NodeInfo {
	node := srv.Self()
	if node == nil {
		return nil
	}
	info := &NodeInfo{
		ID:        node.ID().String(),
		Name:      srv.cfg.Name,
		Enode:     node.URLv4(),
		ENR:       node.String(),
		IP:        node.IPAddr().String(),
		Protocols: make(map[string]any),
	}
	info.Ports.Discovery = node.UDP()
	info.Ports.Listener = node.TCP()
	if a := srv.ListenAddr(); a != nil {
		info.ListenAddr = a.String()
	}
	// With several versions of one protocol, report the highest, which is
	// what peers that support it run.
	best := make(map[string]uint)
	for _, p := range srv.cfg.Protocols {
		if v, ok := best[p.Name]; ok && v > p.Version {
			continue
		}
		best[p.Name] = p.Version
		var pi any = "unknown"
		if p.NodeInfo != nil {
			if v := p.NodeInfo(); v != nil {
				pi = v
			}
		}
		info.Protocols[p.Name] = pi
	}
	return info
}

// PeersInfo returns information about the connected peers, sorted by ID.
func (srv *Server) PeersInfo() []*PeerInfo {
	infos := make([]*PeerInfo, 0)
	for _, p := range srv.Peers() {
		infos = append(infos, p.info())
	}
	slices.SortFunc(infos, func(a, b *PeerInfo) int { return cmp.Compare(a.ID, b.ID) })
	return infos
}
