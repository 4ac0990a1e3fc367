package nat

import (
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

const (
	// DefaultMappingLifetime is the lifetime asked for each mapping. The
	// Mapper renews at half of it, so one lost renewal leaves time for a
	// retry before the gateway drops the mapping. (go-ethereum uses the
	// same order of magnitude: minutes, not hours, so mappings of a node
	// that crashed disappear soon.)
	DefaultMappingLifetime = 20 * time.Minute
	// mapRetryInterval is the wait after a failed mapping or external-IP
	// request, shorter than the renewal interval so that a mapping lost to
	// a router reboot comes back soon.
	mapRetryInterval = time.Minute
	// defaultMappingName is the description the router shows for our
	// mappings.
	defaultMappingName = "devp2p"
)

// MapperConfig configures a Mapper. Zero values mean the defaults.
type MapperConfig struct {
	// Lifetime asked for each mapping; renewals happen at Lifetime/2.
	// Default DefaultMappingLifetime.
	Lifetime time.Duration
	// Name is the mapping description shown by the router. Default "devp2p".
	Name string
	// Clock drives renewals (AfterFunc) and, for a mechanism made by AnyOf
	// or Any, the interval between discovery attempts (Now), so that tests
	// run them on simulated time. Default mclock.System{}.
	Clock mclock.Clock
	// Logger receives the Mapper's logs. Default slog.Default().
	Logger *slog.Logger
	// Changed is called, on the Mapper's goroutine, when the external IP or
	// an external port changes: after the first successful round, and then
	// only on a real change, never on a renewal that keeps the endpoint.
	Changed func(Endpoints)
}

// Endpoints is the externally visible endpoint of the node as far as the
// gateway told: zero fields are not known (yet).
type Endpoints struct {
	IP       net.IP
	TCP, UDP uint16
}

// Mapper keeps a TCP and a UDP port mapped on a NAT.
//
// Stability: a renewal asks for the external port granted last time, so a
// gateway that honours it keeps the endpoint, and one that handed out
// another port at first (its choice, or a conflict) is not asked for the
// internal port again. A gateway that gives a different port changes the
// endpoint once. A gateway that stops answering changes nothing: the last
// known endpoint stays in place (the mapping most likely still works until
// its lifetime ends, and flapping records cost every peer a re-fetch), and
// the Mapper retries every mapRetryInterval.
type Mapper struct {
	nat   Interface
	cfg   MapperConfig
	log   *slog.Logger  // logs name the mechanism per call: its String changes once discovery found a gateway
	renew chan struct{} // timer -> loop
	quit  chan struct{}
	done  chan struct{}
	once  sync.Once

	// ports and toldFailure are owned by loop.
	ports       [2]portMapping
	toldFailure bool // the user was told once that the gateway fails

	mu  sync.Mutex // guards cur
	cur Endpoints

	stats mapperStats // for Stats (stats.go)
}

type portMapping struct {
	proto   string
	intport int
	ext     uint16 // last granted external port; 0 = not mapped
}

// StartMapper starts mapping tcpPort and udpPort (0 = don't map that
// protocol) on n. The first round runs at once on the Mapper's goroutine,
// so a slow or absent gateway never holds up the caller.
func StartMapper(n Interface, tcpPort, udpPort int, cfg MapperConfig) *Mapper {
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = DefaultMappingLifetime
	}
	if cfg.Name == "" {
		cfg.Name = defaultMappingName
	}
	if cfg.Clock == nil {
		cfg.Clock = mclock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if a, ok := n.(*autodisc); ok {
		a.useClock(cfg.Clock)
	}
	m := &Mapper{
		nat:   n,
		cfg:   cfg,
		log:   cfg.Logger,
		renew: make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
		ports: [2]portMapping{{proto: "tcp", intport: tcpPort}, {proto: "udp", intport: udpPort}},
	}
	go m.loop()
	return m
}

// Endpoints returns the external endpoint known so far.
func (m *Mapper) Endpoints() Endpoints {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cur
}

// Close stops renewing, removes the mappings from the gateway and returns
// when that is done (each request is bounded by the mechanism's timeout).
// Calling it again does nothing.
func (m *Mapper) Close() {
	m.once.Do(func() { close(m.quit) })
	<-m.done
}

func (m *Mapper) loop() {
	defer close(m.done)
	for {
		wait := m.round()
		timer := m.cfg.Clock.AfterFunc(wait, func() {
			select {
			case m.renew <- struct{}{}:
			default:
			}
		})
		select {
		case <-m.renew:
		case <-m.quit:
			timer.Stop()
			m.unmapAll()
			return
		}
	}
}

// round maps (or renews) every port and asks for the external IP. It calls
// Changed if the endpoint changed and returns the wait until the next round.
func (m *Mapper) round() time.Duration {
	m.mu.Lock()
	ep := m.cur
	m.mu.Unlock()
	changed, failed := false, false

	ip, err := m.nat.ExternalIP()
	switch {
	case err != nil:
		failed = true
		m.log.Debug("NAT: can't get external IP", "nat", m.nat, "err", err)
	case ip == nil || ip.IsUnspecified():
		failed = true
		m.log.Debug("NAT: gateway reported no external IP", "nat", m.nat, "ip", ip)
	case !ip.Equal(ep.IP):
		if ep.IP != nil {
			m.log.Info("NAT: external IP changed", "nat", m.nat, "old", ep.IP, "new", ip)
		}
		ep.IP, changed = ip, true
	}

	for i := range m.ports {
		p := &m.ports[i]
		if p.intport == 0 {
			continue
		}
		want := p.ext
		if want == 0 {
			want = uint16(p.intport)
		}
		got, err := m.nat.AddMapping(p.proto, int(want), p.intport, m.cfg.Name, m.cfg.Lifetime)
		if err == nil && got == 0 {
			err = errZeroPort
		}
		if err != nil {
			// Keep what we had: see "Stability" on Mapper.
			failed = true
			m.log.Debug("NAT: port mapping failed", "nat", m.nat, "proto", p.proto, "port", p.intport, "extport", want, "err", err)
			continue
		}
		switch {
		case p.ext == 0:
			m.log.Info("NAT: mapped port", "nat", m.nat, "proto", p.proto, "intport", p.intport, "extport", got)
		case got != p.ext:
			m.log.Info("NAT: gateway moved mapping to another port", "nat", m.nat, "proto", p.proto, "intport", p.intport, "old", p.ext, "new", got)
		}
		if got != p.ext {
			p.ext, changed = got, true
		}
	}
	ep.TCP, ep.UDP = m.ports[0].ext, m.ports[1].ext
	m.stats.record(failed, changed) // before Changed, so its callee sees the round counted

	if changed {
		m.mu.Lock()
		m.cur = ep
		m.mu.Unlock()
		if m.cfg.Changed != nil {
			m.cfg.Changed(ep)
		}
	}
	if failed {
		if !m.toldFailure {
			// Once at Info, so a user who asked for NAT learns why the
			// record has no external address; the details stay at Debug.
			m.toldFailure = true
			m.log.Info("NAT: gateway did not answer; retrying in the background", "nat", m.nat, "retry", min(mapRetryInterval, m.cfg.Lifetime/2))
		}
		return min(mapRetryInterval, m.cfg.Lifetime/2)
	}
	return m.cfg.Lifetime / 2
}

func (m *Mapper) unmapAll() {
	for i := range m.ports {
		p := &m.ports[i]
		if p.ext == 0 {
			continue
		}
		if err := m.nat.DeleteMapping(p.proto, int(p.ext), p.intport); err != nil {
			m.log.Debug("NAT: can't remove port mapping", "nat", m.nat, "proto", p.proto, "extport", p.ext, "err", err)
		} else {
			m.log.Debug("NAT: removed port mapping", "nat", m.nat, "proto", p.proto, "extport", p.ext)
		}
		p.ext = 0
	}
}
