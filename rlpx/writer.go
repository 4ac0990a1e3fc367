package rlpx

import (
	"net"
	"sync"
	"time"
)

const (
	// maxPending is how many sealed bytes coalescing mode queues before Write
	// blocks: enough to batch a burst of small messages into one system call
	// and to seal one large message while the previous one is being sent.
	maxPending = 256 << 10

	// closeFlushTimeout bounds how long Close waits for queued frames to
	// reach the socket (the same budget go-ethereum gives a Disconnect
	// write, p2p/transport.go discWriteTimeout).
	closeFlushTimeout = 1 * time.Second
)

// flusher hands sealed frames to the socket in the background, coalescing
// whatever accumulated while the previous socket write was in progress. Its
// goroutine runs only while frames are queued: it starts with the first
// frame queued after an idle period and exits once everything is written,
// so an idle connection costs no goroutine and holds no buffer. The fields
// below are guarded by mu.
type flusher struct {
	conn net.Conn
	mu   sync.Mutex
	cond sync.Cond // signalled on every change below

	pendingP *[]byte // pooled buffer of the frames waiting for the socket; nil when none
	pendingN int     // bytes of *pendingP in use
	running  bool    // the loop goroutine exists
	busy     bool    // the loop is in conn.Write
	stop     bool    // no more frames are accepted
	err      error   // sticky socket error
}

func newFlusher(conn net.Conn) *flusher {
	f := &flusher{conn: conn}
	f.cond.L = &f.mu
	return f
}

// queue hands over the sealed frame, which is the start of the buffer held
// by s, waiting while too much is pending. When nothing is pending the buffer
// itself is handed over (s gives it up), so a large frame is never copied;
// otherwise the frame is appended to what is pending. It returns the sticky
// socket error, if any.
func (f *flusher) queue(s *scratch, frame []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.pendingN >= maxPending && f.err == nil && !f.stop {
		f.cond.Wait()
	}
	if f.err != nil {
		return f.err
	}
	if f.stop {
		return errClosed
	}
	if f.pendingP == nil {
		f.pendingP, f.pendingN = s.p, len(frame)
		s.p = nil
	} else {
		if n := f.pendingN + len(frame); n > len(*f.pendingP) {
			np := getBuf(n)
			copy(*np, (*f.pendingP)[:f.pendingN])
			putBuf(f.pendingP)
			f.pendingP = np
		}
		f.pendingN += copy((*f.pendingP)[f.pendingN:], frame)
	}
	if !f.running {
		f.running = true
		go f.loop()
	}
	return nil
}

// flush waits until everything queued has been handed to the socket.
func (f *flusher) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for (f.pendingP != nil || f.busy) && f.err == nil {
		f.cond.Wait()
	}
	return f.err
}

// loop writes what is pending until nothing is, then exits.
func (f *flusher) loop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.pendingP != nil {
		bufP, n := f.pendingP, f.pendingN
		f.pendingP, f.pendingN = nil, 0
		f.busy = true
		f.cond.Broadcast() // room for blocked writers
		f.mu.Unlock()

		_, err := f.conn.Write((*bufP)[:n])
		putBuf(bufP)

		f.mu.Lock()
		f.busy = false
		if err != nil {
			f.err = err
			putBuf(f.pendingP)
			f.pendingP, f.pendingN = nil, 0
		}
	}
	f.running = false
	f.cond.Broadcast() // flush and shutdown waiters, blocked writers
}

// shutdown stops accepting frames and waits until what is queued has been
// written; after timeout it calls closeConn to unblock the socket write.
func (f *flusher) shutdown(timeout time.Duration, closeConn func()) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stop = true
	f.cond.Broadcast()
	if f.running {
		t := time.AfterFunc(timeout, closeConn)
		for f.running {
			f.cond.Wait()
		}
		t.Stop()
	}
	return f.err
}
