package nat

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

const (
	// AnyTimeout bounds the "any" mechanism's discovery: UPnP (SSDP waits
	// about 2 s for answers, then fetches the device description) and
	// NAT-PMP run side by side, and whatever has not answered by then is
	// given up on.
	AnyTimeout = 5 * time.Second
	// rediscoverInterval is how long a failed discovery is remembered
	// before the next use of the mechanism tries again. Callers use the
	// mechanism once per renewal, so a network without a gateway costs one
	// bounded discovery every few minutes, not one per call.
	rediscoverInterval = 5 * time.Minute
)

// Discoverer finds a gateway and returns a mechanism bound to it. It must
// return when ctx is done. Tests pass discoverers that point at fake
// gateways on 127.0.0.1, so no multicast or gateway traffic leaves the host.
type Discoverer func(ctx context.Context) (Interface, error)

// AnyOf returns a mechanism that, when first used, runs the discoverers side
// by side for at most timeout and keeps the first that answers; the others
// are cancelled. If none answers, calls fail with ErrNoGateway and discovery
// is tried again on a use some minutes later. name is what String reports
// until a gateway is found.
func AnyOf(name string, timeout time.Duration, ds ...Discoverer) Interface {
	return &autodisc{name: name, timeout: timeout, discover: ds, clock: mclock.System{}}
}

// Any is the "any" mechanism: UPnP and NAT-PMP discovered side by side,
// bounded by AnyTimeout.
func Any() Interface {
	return AnyOf("any", AnyTimeout, DiscoverUPnP, DiscoverPMP)
}

// autodisc discovers lazily, so that building a mechanism (Parse, a Config)
// costs no network traffic and a Server's Start is never held up by it.
type autodisc struct {
	name     string
	timeout  time.Duration
	discover []Discoverer

	mu      sync.Mutex   // held across discovery, so it runs once at a time
	clock   mclock.Clock // times the retry interval; a Mapper passes its own
	found   Interface
	lastErr error
	lastTry mclock.AbsTime
}

// useClock makes the retry interval run on clock (StartMapper passes its
// MapperConfig.Clock, so a Server's simulated clock reaches it).
func (a *autodisc) useClock(clock mclock.Clock) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clock = clock
}

func (a *autodisc) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.found != nil {
		return a.name + "(" + a.found.String() + ")"
	}
	return a.name
}

func (a *autodisc) ExternalIP() (net.IP, error) {
	n, err := a.get()
	if err != nil {
		return nil, err
	}
	return n.ExternalIP()
}

func (a *autodisc) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return 0, err
	}
	n, err := a.get()
	if err != nil {
		return 0, err
	}
	return n.AddMapping(protocol, extport, intport, name, lifetime)
}

func (a *autodisc) DeleteMapping(protocol string, extport, intport int) error {
	n, err := a.get()
	if err != nil {
		return err
	}
	return n.DeleteMapping(protocol, extport, intport)
}

// get returns the discovered mechanism, discovering it if needed.
func (a *autodisc) get() (Interface, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.found != nil {
		return a.found, nil
	}
	now := a.clock.Now()
	if a.lastErr != nil && now.Sub(a.lastTry) < rediscoverInterval {
		return nil, a.lastErr
	}
	a.lastTry = now
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	a.found, a.lastErr = firstOf(ctx, a.discover)
	if a.lastErr != nil {
		a.lastErr = fmt.Errorf("%w (%s, within %v): %w", ErrNoGateway, a.name, a.timeout, a.lastErr)
	}
	return a.found, a.lastErr
}

// firstOf runs ds concurrently and returns the first success, cancelling the
// rest. It waits for every discoverer to return, so no goroutine outlives it.
func firstOf(ctx context.Context, ds []Discoverer) (Interface, error) {
	if len(ds) == 0 {
		return nil, errors.New("no discovery method")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		n   Interface
		err error
	}
	results := make(chan result, len(ds))
	for _, d := range ds {
		go func() {
			n, err := d(ctx)
			results <- result{n, err}
		}()
	}
	var (
		found Interface
		errs  []error
	)
	for range ds {
		r := <-results
		switch {
		case r.err == nil && r.n != nil && found == nil:
			found = r.n
			cancel() // the others stop; their results are drained below
		case r.err != nil:
			errs = append(errs, r.err)
		}
	}
	if found != nil {
		return found, nil
	}
	if ctx.Err() != nil {
		// Discoverers cut short by the deadline all say the same thing;
		// keep only the errors that tell something else.
		errs = slices.DeleteFunc(errs, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
		})
		errs = append(errs, ctx.Err())
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("no gateway answered"))
	}
	return nil, errors.Join(errs...)
}
