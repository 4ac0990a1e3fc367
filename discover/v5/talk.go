package v5

import (
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
)

// TalkHandler answers a TALKREQ of an application protocol. It runs on its
// own goroutine; the returned bytes are sent back as the TALKRESP.
type TalkHandler func(id enode.ID, addr netip.AddrPort, req []byte) []byte

// talkSystem is the registry of TALKREQ handlers.
type talkSystem struct {
	mu       sync.Mutex
	handlers map[string]TalkHandler
	slots    chan struct{} // bounds the handlers running at once
	dropped  atomic.Int64  // requests dropped because all slots were busy
}

func newTalkSystem() *talkSystem {
	return &talkSystem{handlers: make(map[string]TalkHandler), slots: make(chan struct{}, maxActiveTalkRequests)}
}

// RegisterTalkHandler sets the handler for protocol (nil removes it).
func (t *UDPv5) RegisterTalkHandler(protocol string, h TalkHandler) {
	t.talk.mu.Lock()
	defer t.talk.mu.Unlock()
	if h == nil {
		delete(t.talk.handlers, protocol)
	} else {
		t.talk.handlers[protocol] = h
	}
}

// DroppedTalkRequests returns how many TALKREQs were dropped because
// maxActiveTalkRequests handlers were running.
func (t *UDPv5) DroppedTalkRequests() int64 { return t.talk.dropped.Load() }

// handle runs on dispatch. Unknown protocols get an empty TALKRESP
// (discv5-wire.md "TALKREQ"); when all handler slots are busy the request
// is dropped, which the requester sees as a timeout.
func (ts *talkSystem) handle(t *UDPv5, src enode.ID, from netip.AddrPort, req *v5wire.TalkRequest) {
	ts.mu.Lock()
	h := ts.handlers[req.Protocol]
	ts.mu.Unlock()
	if h == nil {
		t.send(src, from, &v5wire.TalkResponse{ReqID: req.ReqID}, nil)
		return
	}
	select {
	case ts.slots <- struct{}{}:
	default:
		ts.dropped.Add(1)
		t.cfg.Logger.Debug("dropping TALKREQ: too many active", "id", src, "protocol", req.Protocol)
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		resp := h(src, from, req.Message)
		<-ts.slots
		select {
		case t.sendCh <- sendRequest{src, from, &v5wire.TalkResponse{ReqID: req.ReqID, Message: resp}}:
		case <-t.closing:
		}
	}()
}
