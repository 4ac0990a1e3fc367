package v5

import (
	"bytes"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
)

// TestChallengeResent: a second undecryptable packet from a sender with a
// pending challenge gets the same WHOAREYOU again (same nonce, same
// challenge data), as go-ethereum's discv5 suite (HandshakeResend) expects,
// and a handshake answering the resent challenge succeeds.
func TestChallengeResent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		to, _ := ours.Self().UDPEndpoint()

		challenge := func() *v5wire.Whoareyou {
			t.Helper()
			fake.send(ours.Self().ID(), to, &v5wire.Ping{ReqID: []byte{1}})
			_, _, p := fake.read()
			w, ok := p.(*v5wire.Whoareyou)
			if !ok {
				t.Fatalf("got %s, want WHOAREYOU", p.Name())
			}
			return w
		}
		w1, w2 := challenge(), challenge()
		if w1.Nonce != w2.Nonce || !bytes.Equal(w1.ChallengeData, w2.ChallengeData) {
			t.Fatalf("second challenge differs: nonce %x / %x", w1.Nonce, w2.Nonce)
		}
		if n := ours.codec.Sessions().PendingHandshakes(); n != 1 {
			t.Errorf("%d pending challenges, want 1", n)
		}

		w2.Node = ours.Self()
		enc, _, err := fake.codec.Encode(ours.Self().ID(), to.String(), &v5wire.Ping{ReqID: []byte{2}}, w2)
		if err != nil {
			t.Fatal(err)
		}
		fake.conn.WriteToUDPAddrPort(enc, to)
		for {
			_, _, p := fake.read()
			if pong, ok := p.(*v5wire.Pong); ok {
				if !bytes.Equal(pong.ReqID, []byte{2}) {
					t.Fatalf("pong for request %x", pong.ReqID)
				}
				return
			}
		}
	})
}
