package memnet

import (
	"net/netip"
	"testing"
	"testing/synctest"
)

// TestQueueOrderAndRoom: datagrams come out in the order they went in,
// through pushes and pops interleaved across the buffer's compaction, and
// the room a burst took is given back once it has been read.
func TestQueueOrderAndRoom(t *testing.T) {
	var q datagramQueue
	from := netip.MustParseAddrPort("11.0.0.1:1")
	next, want := 0, 0
	push := func(n int) {
		for range n {
			if !q.push(datagram{from: from, b: []byte{byte(next), byte(next >> 8)}}) {
				t.Fatalf("push %d refused with %d waiting", next, next-want)
			}
			next++
		}
	}
	pop := func(n int) {
		for range n {
			d, ok, more := q.pop()
			if !ok {
				t.Fatalf("pop %d: queue empty", want)
			}
			if more != (want+1 < next) {
				t.Fatalf("pop %d: more = %v with %d left", want, more, next-want-1)
			}
			if got := int(d.b[0]) | int(d.b[1])<<8; got != want {
				t.Fatalf("popped datagram %d, want %d", got, want)
			}
			want++
		}
	}
	push(700)
	for range 20 { // more than QueueLen in all, never more than QueueLen waiting
		pop(300)
		push(300)
	}
	pop(700)
	if _, ok, _ := q.pop(); ok {
		t.Fatal("pop from an empty queue")
	}
	if cap(q.buf) > keptCap {
		t.Fatalf("an empty queue keeps room for %d datagrams, want at most %d", cap(q.buf), keptCap)
	}
	push(QueueLen)
	if q.push(datagram{from: from}) {
		t.Fatal("push beyond QueueLen accepted")
	}
}

// TestBlockedReadWakes: a reader waiting on an empty Conn gets the datagram
// written next, and every datagram of a burst written while it waited.
func TestBlockedReadWakes(t *testing.T) {
	_, a, b := connPair(t)
	got := make(chan byte)
	go func() {
		buf := make([]byte, 1)
		for {
			if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil {
				close(got)
				return
			}
			got <- buf[0]
		}
	}()
	for i := range 50 {
		a.WriteToUDPAddrPort([]byte{byte(i)}, b.AddrPort())
		if i%10 == 9 { // bursts of ten, read while more arrive
			for j := i - 9; j <= i; j++ {
				if v := <-got; v != byte(j) {
					t.Fatalf("read %d, want %d", v, j)
				}
			}
		}
	}
	b.Close()
	if _, ok := <-got; ok {
		t.Fatal("read after close")
	}
}

// TestConcurrentReaders: two readers blocked on one Conn each get one of
// two datagrams that arrive together (a Conn may have more than one
// reader, as a UDP socket may).
func TestConcurrentReaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, a, b := connPair(t)
		got := make(chan byte, 2)
		for range 2 {
			go func() {
				buf := make([]byte, 1)
				if _, _, err := b.ReadFromUDPAddrPort(buf); err == nil {
					got <- buf[0]
				}
			}()
		}
		synctest.Wait() // both readers wait on the empty queue
		a.WriteToUDPAddrPort([]byte{1}, b.AddrPort())
		a.WriteToUDPAddrPort([]byte{2}, b.AddrPort())
		synctest.Wait()
		if len(got) != 2 {
			t.Fatalf("%d of 2 blocked readers got a datagram", len(got))
		}
		b.Close()
	})
}

// connPair opens two Conns on a new network, closed when the test ends.
func connPair(t *testing.T) (nw *Network, a, b *Conn) {
	t.Helper()
	nw = New()
	a, errA := nw.Listen(netip.MustParseAddrPort("11.0.0.1:1"))
	b, errB := nw.Listen(netip.MustParseAddrPort("11.0.0.2:1"))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return nw, a, b
}
