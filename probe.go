package devp2p

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// HelloInfo is what a remote node tells about itself in its Hello message.
type HelloInfo struct {
	ID         enode.ID // derived from the Hello's node key
	Name       string   // client name, e.g. "Geth/v1.17.0-stable/linux-amd64/go1.26"
	Version    uint64   // base protocol version (5 = snappy, EIP-706)
	Caps       []Cap    // the sub-protocols it runs
	ListenPort uint64   // as announced; most clients send 0
	RemoteAddr string
}

// ErrProbeWrongIdentity means the node that answered holds another key than
// the one in its enode URL / record.
var ErrProbeWrongIdentity = errors.New("hello comes from another node")

// Probe connects to n over TCP, runs the RLPx handshake and the Hello
// exchange with key, and hangs up with DiscRequested. It returns the remote's
// Hello, or the DiscReason (as error) when the remote sent a Disconnect
// instead of its Hello. ctx bounds the whole exchange; without a deadline the
// handshake timeout (5 s per step) applies.
//
// The Hello it sends announces no sub-protocols, so a node may well
// disconnect right after the exchange (DiscUselessPeer): that still counts as
// success because its Hello arrived first.
func Probe(ctx context.Context, key *ecdsa.PrivateKey, n *enode.Node) (*HelloInfo, error) {
	ep, ok := n.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("node %s has no TCP endpoint", n.ID().TerminalString())
	}
	if n.Pubkey() == nil {
		return nil, fmt.Errorf("node %s has no secp256k1 key", n.ID().TerminalString())
	}
	var d net.Dialer
	fd, err := d.DialContext(ctx, "tcp", ep.String())
	if err != nil {
		return nil, err
	}
	// Cancellation (or ctx's deadline) closes the socket, which ends any
	// blocked read or write; the handshake timeouts bound each step too.
	stop := context.AfterFunc(ctx, func() { fd.Close() })
	defer stop()
	t := newRLPXTransport(fd, n.Pubkey(), defaultTimeouts)
	if _, err := t.doEncHandshake(key); err != nil {
		t.close(err)
		return nil, ctxErr(ctx, fmt.Errorf("rlpx handshake: %w", err))
	}
	our := &protoHandshake{
		Version: baseProtocolVersion,
		Name:    "devp2p-go-probe",
		ID:      pubkeyID(&key.PublicKey),
	}
	their, err := t.doProtoHandshake(our)
	if err != nil {
		t.close(err)
		var r DiscReason
		if errors.As(err, &r) {
			return nil, r
		}
		return nil, ctxErr(ctx, err)
	}
	t.close(DiscRequested)
	pub, err := crypto.UnmarshalPubkey(append([]byte{4}, their.ID...))
	if err != nil {
		return nil, fmt.Errorf("hello node id: %w", err)
	}
	info := &HelloInfo{
		ID:         enode.PubkeyToIDV4(pub),
		Name:       their.Name,
		Version:    their.Version,
		Caps:       their.Caps,
		ListenPort: their.ListenPort,
		RemoteAddr: ep.String(),
	}
	if info.ID != n.ID() {
		return info, ErrProbeWrongIdentity
	}
	return info, nil
}

// ctxErr prefers the context's error: a socket closed by cancellation
// reports "use of closed network connection", which hides the reason.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}
