package memnet

import "sync"

// datagramQueue is a Conn's receive buffer: first in, first out, at most
// QueueLen datagrams. Its slice grows with the datagrams waiting and is
// dropped when they have all been read, rather than being allocated at
// full size for every Conn.
type datagramQueue struct {
	mu   sync.Mutex
	buf  []datagram
	head int // buf[head:] wait to be read
}

// push appends d, or reports false if QueueLen datagrams wait already.
func (q *datagramQueue) push(d datagram) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.buf)-q.head >= QueueLen {
		return false
	}
	if q.head > 0 && len(q.buf) == cap(q.buf) && q.head*2 >= len(q.buf) {
		// Reuse the read half rather than growing.
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, d)
	return true
}

// pop removes and returns the oldest datagram; more reports whether others
// still wait.
func (q *datagramQueue) pop() (d datagram, ok, more bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.buf) {
		return datagram{}, false, false
	}
	d = q.buf[q.head]
	q.buf[q.head] = datagram{} // the reader owns d.b now
	q.head++
	more = q.head < len(q.buf)
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
		if cap(q.buf) > keptCap {
			q.buf = nil // a burst's room goes back
		}
	}
	return d, true, more
}

// keptCap is the room an empty queue keeps, so that datagrams arriving
// one at a time do not allocate a buffer each.
const keptCap = 16
