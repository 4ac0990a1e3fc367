package devp2p

import (
	"sync"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/enode"
)

// PeerEventType is the kind of a PeerEvent.
type PeerEventType string

const (
	PeerEventTypeAdd     PeerEventType = "add"     // a peer session started
	PeerEventTypeDrop    PeerEventType = "drop"    // a peer session ended
	PeerEventTypeMsgSend PeerEventType = "msgsend" // a protocol message was sent (EnableMsgEvents)
	PeerEventTypeMsgRecv PeerEventType = "msgrecv" // a protocol message was received (EnableMsgEvents)
)

// PeerEvent reports a change in the server's peers or, with
// Config.EnableMsgEvents, a protocol message. The JSON shape is the one of
// go-ethereum's admin_peerEvents subscription.
type PeerEvent struct {
	Type  PeerEventType `json:"type"`
	Peer  enode.ID      `json:"peer"`
	Error string        `json:"error,omitempty"`
	// Err is the error that ended the session (drop events); Error is
	// its text.
	Err           error   `json:"-"`
	Protocol      string  `json:"protocol,omitempty"`
	MsgCode       *uint64 `json:"msg_code,omitempty"`
	MsgSize       *uint32 `json:"msg_size,omitempty"`
	LocalAddress  string  `json:"local,omitempty"`
	RemoteAddress string  `json:"remote,omitempty"`
}

// Subscription is a registration made by Server.SubscribeEvents or
// Server.SubscribeVerdicts.
type Subscription struct {
	dropped atomic.Uint64
	once    sync.Once
	remove  func()
}

// Unsubscribe stops delivery. No event is sent on the channel after it
// returns. It is safe to call more than once.
func (s *Subscription) Unsubscribe() { s.once.Do(s.remove) }

// Dropped returns the number of events not delivered because the
// subscriber's channel was full.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// eventFeed delivers events to subscribers without ever blocking the sender:
// an event that does not fit in a subscriber's channel buffer is dropped and
// counted on the subscription. A subscriber sizes its channel buffer for the
// bursts it must not miss.
type eventFeed[T any] struct {
	mu   sync.RWMutex
	subs []*feedSub[T]
	n    atomic.Int32 // len(subs), read without the lock on the hot path
}

type feedSub[T any] struct {
	ch  chan<- T
	sub *Subscription
}

func (f *eventFeed[T]) subscribe(ch chan<- T) *Subscription {
	fs := &feedSub[T]{ch: ch, sub: new(Subscription)}
	fs.sub.remove = func() { f.remove(fs) }
	f.mu.Lock()
	f.subs = append(f.subs, fs)
	f.n.Store(int32(len(f.subs)))
	f.mu.Unlock()
	return fs.sub
}

func (f *eventFeed[T]) remove(fs *feedSub[T]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, x := range f.subs {
		if x == fs {
			f.subs = append(f.subs[:i:i], f.subs[i+1:]...)
			break
		}
	}
	f.n.Store(int32(len(f.subs)))
}

// active reports whether anyone listens, so callers can skip building events.
func (f *eventFeed[T]) active() bool { return f.n.Load() > 0 }

// send delivers ev to every subscriber that has room. Subscribers share the
// event value; they must not modify it.
func (f *eventFeed[T]) send(ev T) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, fs := range f.subs {
		select {
		case fs.ch <- ev:
		default:
			fs.sub.dropped.Add(1)
		}
	}
}

// msgEventer wraps a protocol's MsgReadWriter to report its messages.
type msgEventer struct {
	MsgReadWriter
	feed          *eventFeed[*PeerEvent]
	peerID        enode.ID
	proto         string
	remote, local string
}

func newMsgEventer(rw MsgReadWriter, feed *eventFeed[*PeerEvent], id enode.ID, proto, remote, local string) *msgEventer {
	return &msgEventer{MsgReadWriter: rw, feed: feed, peerID: id, proto: proto, remote: remote, local: local}
}

func (ev *msgEventer) ReadMsg() (Msg, error) {
	msg, err := ev.MsgReadWriter.ReadMsg()
	if err == nil && ev.feed.active() {
		ev.emit(PeerEventTypeMsgRecv, msg.Code, msg.Size)
	}
	return msg, err
}

func (ev *msgEventer) WriteMsg(msg Msg) error {
	code, size := msg.Code, msg.Size
	if err := ev.MsgReadWriter.WriteMsg(msg); err != nil {
		return err
	}
	if ev.feed.active() {
		ev.emit(PeerEventTypeMsgSend, code, size)
	}
	return nil
}

func (ev *msgEventer) emit(typ PeerEventType, code uint64, size uint32) {
	ev.feed.send(&PeerEvent{
		Type: typ, Peer: ev.peerID, Protocol: ev.proto,
		MsgCode: &code, MsgSize: &size,
		LocalAddress: ev.local, RemoteAddress: ev.remote,
	})
}
