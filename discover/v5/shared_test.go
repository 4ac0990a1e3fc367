package v5

import (
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

// TestSharedSocketOneHop: on a shared socket, dispatch reads the channel
// the other engine writes to (Config.Unhandled) itself, so a datagram goes
// from the socket reader to dispatch in one hop, with no goroutine copying
// it in between; and the engine works that way (a ping and its handshake).
func TestSharedSocketOneHop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()

		// b shares its socket with a reader of ours, standing in for
		// discv4: it hands every datagram to in.
		conn, err := nw.Listen(testnet.PublicAddr(2))
		if err != nil {
			t.Fatal(err)
		}
		in := make(chan ReadPacket)
		readerDone := make(chan struct{})
		go func() {
			defer close(readerDone)
			defer close(in)
			buf := make([]byte, 1280)
			for {
				n, from, err := conn.ReadFromUDPAddrPort(buf)
				if err != nil {
					return
				}
				in <- ReadPacket{Data: append([]byte(nil), buf[:n]...), Addr: from}
			}
		}()
		key := testnet.NewKey(t)
		ln := enode.NewLocalNode(nil, key)
		ln.SetStaticIP(testnet.PublicAddr(2).Addr().AsSlice())
		ln.SetFallbackUDP(int(testnet.PublicAddr(2).Port()))
		b, err := ListenV5(conn, ln, Config{PrivateKey: key, Unhandled: in})
		if err != nil {
			t.Fatal(err)
		}
		if b.packetIn != (<-chan ReadPacket)(in) {
			t.Fatal("dispatch does not read the shared channel itself")
		}
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal("ping over the shared socket:", err)
		}
		b.Close()
		conn.Close() // the reader owns the socket, as discv4 would
		<-readerDone
	})
}
