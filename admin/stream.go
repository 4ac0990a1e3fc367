package admin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
)

// msgConn is a message transport of a stream: a WebSocket connection or a
// unix socket carrying JSON values.
type msgConn interface {
	// read returns the next message. It returns errTooLarge for a message
	// over the size limit, and ends when ctx does.
	read(ctx context.Context) ([]byte, error)
	// write sends one message; it ends when ctx does.
	write(ctx context.Context, msg []byte) error
	// close ends the connection, telling the client why where the
	// transport can; read returns then. It may be called more than once.
	close(why string)
}

var errTooLarge = errors.New("message too large")

// stream serves one WebSocket or IPC connection: its reader (serve) answers
// requests in order, its writer sends responses and notifications from one
// bounded queue, and each subscription has a forwarder that moves events
// from the server into that queue without ever blocking: when the queue is
// full the client is too slow and is dropped.
type stream struct {
	s      *Server
	conn   msgConn
	ctx    context.Context
	cancel context.CancelFunc
	out    chan []byte
	fwdWG  sync.WaitGroup // the forwarders
	flush  chan struct{}  // closed by serve: the writer empties the queue and ends
	// readerDone is closed when serve stops reading; no forwarder starts
	// after it.
	readerDone chan struct{}

	// mu guards the fields below.
	mu      sync.Mutex
	subs    map[string]*peerSub
	pending []*peerSub // subscribed, forwarder not started until the response is queued
	why     string     // why the stream was dropped, for the close
}

func newStream(s *Server, conn msgConn) *stream {
	st := &stream{
		s: s, conn: conn,
		out:        make(chan []byte, s.cfg.SendQueue),
		flush:      make(chan struct{}),
		readerDone: make(chan struct{}),
		subs:       make(map[string]*peerSub),
	}
	st.ctx, st.cancel = context.WithCancel(context.Background())
	return st
}

// writeTimeout bounds the sending of one message, so that a client that
// stops reading cannot hold its connection forever.
const writeTimeout = 10 * time.Second

// serve runs the stream until the client leaves, the stream is dropped or
// the server closes, and returns once its goroutines are gone. The answers
// queued when the client stops sending are still written (a client may
// close its sending side and wait for them).
func (st *stream) serve() {
	writerDone := make(chan struct{})
	go st.writeLoop(writerDone)
	c := &call{ctx: st.ctx, conn: st}
	for {
		msg, err := st.conn.read(st.ctx)
		if errors.Is(err, errTooLarge) {
			resp := errorResponse(nil, errorf(CodeInvalidRequest, "invalid request: message larger than %d bytes", st.s.cfg.MaxRequestSize))
			st.queue(mustMarshal(resp))
			st.setWhy("message too large")
			break
		}
		if err != nil {
			break
		}
		if resp := st.s.handleMessage(c, msg); resp != nil && !st.queue(resp) {
			break
		}
		st.startPending()
	}
	// No more notifications: stop the forwarders, then let the writer
	// finish the queue.
	st.mu.Lock()
	close(st.readerDone)
	for id, sub := range st.subs {
		sub.sub.Unsubscribe()
		delete(st.subs, id)
	}
	for _, sub := range st.pending {
		sub.sub.Unsubscribe()
	}
	st.pending = nil
	st.mu.Unlock()
	st.fwdWG.Wait()
	close(st.flush)
	<-writerDone
	// The slot is free before the client sees the end, which the cancel
	// may already bring (it closes an IPC socket).
	st.s.removeStream(st)
	st.cancel()
	st.conn.close(st.reason())
}

// queue puts a response on the send queue, waiting for room: a client
// that sends requests without reading the answers only holds up itself.
func (st *stream) queue(msg []byte) bool {
	select {
	case st.out <- msg:
		return true
	case <-st.ctx.Done():
		return false
	}
}

// writeLoop sends the queued messages until the stream is dropped, or
// until the queue is empty once serve asks it to flush. A drop ends the
// connection here, telling the client why where the transport can: the
// reader of a WebSocket waits for that close rather than for the context.
func (st *stream) writeLoop(done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case msg := <-st.out:
			if !st.write(msg) {
				st.conn.close(st.reason())
				return
			}
		case <-st.flush:
			for {
				select {
				case msg := <-st.out:
					if !st.write(msg) {
						return
					}
				default:
					return
				}
			}
		case <-st.ctx.Done():
			st.conn.close(st.reason())
			return
		}
	}
}

func (st *stream) write(msg []byte) bool {
	if st.ctx.Err() != nil {
		return false // dropped: the rest of the queue is not sent
	}
	ctx, cancel := context.WithTimeout(st.ctx, writeTimeout)
	defer cancel()
	if err := st.conn.write(ctx, msg); err != nil {
		st.drop("write failed")
		return false
	}
	return true
}

func (st *stream) reason() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.why == "" {
		return "bye"
	}
	return st.why
}

func (st *stream) setWhy(why string) {
	st.mu.Lock()
	if st.why == "" {
		st.why = why
	}
	st.mu.Unlock()
}

// drop ends the stream: serve's read returns, and the client is told why.
func (st *stream) drop(why string) {
	st.setWhy(why)
	st.cancel()
}

// peerSub is one admin_subscribe("peerEvents").
type peerSub struct {
	id   string
	ch   chan *devp2p.PeerEvent
	sub  *devp2p.Subscription
	quit chan struct{} // closed by unsubscribe
}

// subscribePeerEvents registers a subscription. Events are buffered from
// now on; its forwarder starts once the response with its ID is queued, so
// the client never sees a notification for an ID it does not know yet.
func (st *stream) subscribePeerEvents() (string, *Error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.subs)+len(st.pending) >= st.s.cfg.MaxSubscriptions {
		return "", errorf(CodeServerError, "too many subscriptions on this connection (at most %d)", st.s.cfg.MaxSubscriptions)
	}
	var b [16]byte
	rand.Read(b[:])
	sub := &peerSub{
		id:   "0x" + hex.EncodeToString(b[:]),
		ch:   make(chan *devp2p.PeerEvent, st.s.cfg.SendQueue),
		quit: make(chan struct{}),
	}
	sub.sub = st.s.p2p.SubscribeEvents(sub.ch)
	st.pending = append(st.pending, sub)
	return sub.id, nil
}

// startPending starts the forwarders of the subscriptions made by the
// message just answered.
func (st *stream) startPending() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, sub := range st.pending {
		st.subs[sub.id] = sub
		st.fwdWG.Add(1)
		go st.forward(sub)
	}
	st.pending = nil
}

func (st *stream) unsubscribe(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if sub, ok := st.subs[id]; ok {
		delete(st.subs, id)
		sub.sub.Unsubscribe()
		close(sub.quit)
		return true
	}
	for i, sub := range st.pending {
		if sub.id == id {
			st.pending = append(st.pending[:i:i], st.pending[i+1:]...)
			sub.sub.Unsubscribe()
			return true
		}
	}
	return false
}

// notification is the message go-ethereum sends for a subscription.
type notification struct {
	JSONRPC string             `json:"jsonrpc"`
	Method  string             `json:"method"`
	Params  notificationParams `json:"params"`
}

type notificationParams struct {
	Subscription string `json:"subscription"`
	Result       any    `json:"result"`
}

// forward moves the events of sub to the send queue. It never blocks on
// the client: when events were lost because it fell behind, or the queue
// is full, the client is dropped with the reason.
func (st *stream) forward(sub *peerSub) {
	defer st.fwdWG.Done()
	for {
		select {
		case ev := <-sub.ch:
			if sub.sub.Dropped() > 0 {
				st.s.log.Debug("Dropping slow admin subscriber", "sub", sub.id, "missed", sub.sub.Dropped())
				st.drop("subscriber too slow: peer events were lost")
				return
			}
			msg, err := json.Marshal(notification{
				JSONRPC: "2.0", Method: "admin_subscription",
				Params: notificationParams{Subscription: sub.id, Result: ev},
			})
			if err != nil {
				st.drop("encoding a notification failed")
				return
			}
			select {
			case st.out <- msg:
			default:
				st.s.log.Debug("Dropping slow admin subscriber", "sub", sub.id, "queue", cap(st.out))
				st.drop("subscriber too slow: notification queue full")
				return
			}
		case <-sub.quit:
			return
		case <-st.readerDone:
			return
		case <-st.ctx.Done():
			return
		}
	}
}
