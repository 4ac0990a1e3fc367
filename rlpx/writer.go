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
// whatever accumulated while the previous socket write was in progress.
// The fields below are guarded by mu; the loop goroutine owns the socket
// write side while busy.
type flusher struct {
	conn net.Conn
	mu   sync.Mutex
	cond sync.Cond // signalled on every change below

	pending []byte // sealed frames waiting for the socket
	spare   []byte // the buffer the loop last wrote, reused for pending
	busy    bool   // loop is in conn.Write
	stop    bool   // loop should exit once pending is empty
	err     error  // sticky socket error
	done    chan struct{}
}

func newFlusher(conn net.Conn) *flusher {
	f := &flusher{conn: conn, done: make(chan struct{})}
	f.cond.L = &f.mu
	go f.loop()
	return f
}

// queue hands over the sealed frames in *buf, waiting while too much is
// pending. When nothing is pending the buffer itself is handed over and
// *buf gets an empty one back, so a large frame is never copied; otherwise
// the frames are appended to what is pending. It returns the sticky socket
// error, if any.
func (f *flusher) queue(buf *[]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.pending) >= maxPending && f.err == nil && !f.stop {
		f.cond.Wait()
	}
	if f.err != nil {
		return f.err
	}
	if f.stop {
		return errClosed
	}
	if len(f.pending) == 0 {
		f.pending, *buf = *buf, f.pending[:0]
	} else {
		f.pending = append(f.pending, *buf...)
	}
	f.cond.Broadcast()
	return nil
}

// flush waits until everything queued has been handed to the socket.
func (f *flusher) flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for (len(f.pending) > 0 || f.busy) && f.err == nil {
		f.cond.Wait()
	}
	return f.err
}

func (f *flusher) loop() {
	defer close(f.done)
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for len(f.pending) == 0 && !f.stop {
			f.cond.Wait()
		}
		if len(f.pending) == 0 {
			return // stopped and drained
		}
		buf := f.pending
		f.pending, f.spare = f.spare[:0], nil
		f.busy = true
		f.cond.Broadcast() // room for blocked writers
		f.mu.Unlock()

		_, err := f.conn.Write(buf)

		f.mu.Lock()
		f.busy = false
		if cap(buf) <= maxRetainedBuffer {
			f.spare = buf[:0]
		}
		if err != nil {
			f.err, f.pending = err, nil
			f.cond.Broadcast()
			return
		}
		f.cond.Broadcast() // flush waiters
	}
}

// shutdown drains what is queued (within timeout, after which closeConn
// is called to unblock the socket write) and stops the loop.
func (f *flusher) shutdown(timeout time.Duration, closeConn func()) error {
	f.mu.Lock()
	f.stop = true
	f.cond.Broadcast()
	f.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-f.done:
	case <-t.C:
		closeConn()
		<-f.done
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}
