package dial

import (
	"context"
	"errors"
	"net"

	"github.com/devp2p-go/devp2p/enode"
)

var (
	// errDialTimeout is returned when a dial runs past Config.DialTimeout.
	errDialTimeout = errors.New("dial timeout")
	// errCanceled is returned when a dial was cancelled by Stop or RemoveStatic.
	errCanceled = errors.New("dial cancelled")
)

// dialTask is one dial, run on its own goroutine. The loop creates it and
// reads its results after it was handed back on doneCh; the task goroutine
// touches only the fields marked as its own.
type dialTask struct {
	ctx    context.Context
	cancel context.CancelFunc
	flags  Flags
	why    string
	source string // label of the candidate's source (sources.go)

	// Set by the loop before the task starts.
	needResolve bool // static node without endpoint: look it up first
	mayResolve  bool // static node whose resolve backoff has passed

	// Owned by the task goroutine until it is handed back.
	dest         *enode.Node
	err          error
	class        FailureClass
	resolveTried bool
	resolved     *enode.Node // new record found by the resolver

	// Owned by the loop.
	sawAdd  bool       // PeerAdded arrived while dialing
	removed bool       // RemoveStatic cancelled the dial
	spread  spreadKeys // booked in the subnet guard (dynamic dials)
}

func newDialTask(n *enode.Node, flags Flags, why string) *dialTask {
	ctx, cancel := context.WithCancel(context.Background())
	return &dialTask{ctx: ctx, cancel: cancel, dest: n, flags: flags, why: why}
}

// run dials, resolving a static node's endpoint when needed, then hands
// the connection to the SetupFunc.
func (t *dialTask) run(s *Scheduler) {
	if t.needResolve && !t.resolve(s) {
		t.err, t.class = errNoEndpoint, Unreachable
		return
	}
	fd, err := t.dial(s)
	if err != nil && t.mayResolve && !t.resolveTried && t.ctx.Err() == nil && t.resolve(s) {
		fd, err = t.dial(s)
	}
	if err != nil {
		t.err, t.class = err, Unreachable
		return
	}
	if t.ctx.Err() != nil {
		fd.Close()
		t.err, t.class = errCanceled, Unreachable
		return
	}
	t.err = s.setup(fd, t.flags, t.dest)
	t.class = classifySetup(t.err)
}

// dial makes one connection attempt, cut after the dial timeout.
func (t *dialTask) dial(s *Scheduler) (net.Conn, error) {
	if t.ctx.Err() != nil {
		return nil, errCanceled
	}
	ctx, cancel := context.WithCancelCause(t.ctx)
	defer cancel(nil)
	timer := s.clock.AfterFunc(s.cfg.DialTimeout, func() { cancel(errDialTimeout) })
	defer timer.Stop()

	fd, err := s.cfg.Dialer.Dial(ctx, t.dest)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			if cause == context.Canceled {
				cause = errCanceled
			}
			err = &dialError{cause: cause, err: err}
		}
		return nil, err
	}
	return fd, nil
}

// resolve looks up the node's current record. It reports whether a new
// endpoint was found (and then dest is the new record).
func (t *dialTask) resolve(s *Scheduler) bool {
	t.resolveTried = true
	r := s.cfg.Resolver.Resolve(t.ctx, t.dest)
	if r == nil || r.ID() != t.dest.ID() {
		return false
	}
	if s.cfg.Families != 0 {
		if r = r.ForFamilies(s.cfg.Families); r == nil {
			return false // the new record has no address we can dial
		}
	}
	newEP, ok := r.TCPEndpoint()
	if !ok {
		return false
	}
	if oldEP, ok := t.dest.TCPEndpoint(); ok && oldEP == newEP {
		return false // found, but nothing new to try
	}
	if s.cfg.NetRestrict != nil && !s.cfg.NetRestrict.Contains(newEP.Addr()) {
		return false
	}
	t.dest, t.resolved = r, r
	return true
}

// dialError says why a dial was cut short (timeout or cancellation) and
// keeps the dialer's own error.
type dialError struct {
	cause error
	err   error
}

func (e *dialError) Error() string { return e.cause.Error() + ": " + e.err.Error() }
func (e *dialError) Unwrap() []error {
	return []error{e.cause, e.err}
}
