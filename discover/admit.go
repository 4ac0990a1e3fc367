package discover

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Defaults of AdmitConfig. go-ethereum has no such limits; reth allows 60
// packets a minute per IP. Ours let a busy honest peer through (a lookup
// step is a handful of packets) while one source, one subnet or one
// provider's block gets a small, fixed share of the signature recoveries and
// session decryptions a node can afford.
var (
	DefaultAdmitPerIP     = Rate{PerSecond: 32, Burst: 64}     // each source IP
	DefaultAdmitPerSubnet = Rate{PerSecond: 64, Burst: 128}    // each IPv4 /24, IPv6 /64
	DefaultAdmitPerWide   = Rate{PerSecond: 128, Burst: 256}   // each IPv4 /16, IPv6 /48
	DefaultAdmitUnproven  = Rate{PerSecond: 512, Burst: 512}   // all sources without a proof
	DefaultAdmitReserved  = Rate{PerSecond: 1024, Burst: 1024} // proven sources, expected replies
)

const (
	// DefaultAdmitMaxSources bounds the entries of each table the admitter
	// keeps (per IP, per subnet, per wide subnet, trusted): about 100 bytes
	// each, so a flood from a million spoofed sources costs at most a few MB.
	DefaultAdmitMaxSources = 16384

	// DefaultReplyAllowance is what we may send to a source without a proof
	// beyond the bytes it sent us: one pong and one ping back, so that a new
	// node bonds with its first ping. Past it, every reply must be paid for
	// with request bytes, so a forged source address gains nothing by
	// sending us more.
	DefaultReplyAllowance = 320

	// maxReplyCredit caps the credit a source can bank by sending.
	maxReplyCredit = 4 * 1280
)

// AdmitConfig sets the limits on incoming datagrams that a discovery engine
// checks before any expensive work (signature recovery, session decryption).
// A zero field takes its default.
type AdmitConfig struct {
	PerIP     Rate // each source host: IPv4 address or IPv6 /64
	PerSubnet Rate // each IPv4 /24 or IPv6 /48
	PerWide   Rate // each IPv4 /16 or IPv6 /32
	Unproven  Rate // all sources without a proof together
	Reserved  Rate // sources with a proof and expected replies together

	MaxSources     int // entries per table
	ReplyAllowance int // reply bytes to an unproven source beyond its request bytes

	// LANExempt says whether LAN and loopback sources skip the limits, as
	// for the table and the Server: by default ("auto") only while our own
	// address, reported by Self, is a LAN address too. A local test network
	// runs many nodes behind one address; a node with a public address
	// treats its LAN neighbours like everyone else.
	LANExempt netutil.LANExemption
	// Self returns our own address, for LANExempt; nil counts as unknown,
	// which exempts LAN sources under "auto".
	Self func() netip.Addr
}

func (c AdmitConfig) withDefaults() AdmitConfig {
	def := func(r *Rate, d Rate) {
		if r.PerSecond <= 0 || r.Burst < 1 {
			*r = d
		}
	}
	def(&c.PerIP, DefaultAdmitPerIP)
	def(&c.PerSubnet, DefaultAdmitPerSubnet)
	def(&c.PerWide, DefaultAdmitPerWide)
	def(&c.Unproven, DefaultAdmitUnproven)
	def(&c.Reserved, DefaultAdmitReserved)
	if c.MaxSources <= 0 {
		c.MaxSources = DefaultAdmitMaxSources
	}
	if c.ReplyAllowance <= 0 {
		c.ReplyAllowance = DefaultReplyAllowance
	}
	return c
}

// AdmitStats counts the admitter's decisions, for metrics.
type AdmitStats struct {
	Admitted        int64 // through the lanes for unproven sources
	AdmittedTrusted int64 // through the reserved lane
	AdmittedLAN     int64 // exempt LAN sources
	DroppedIP       int64 // source IP over its rate
	DroppedSubnet   int64 // /24 or /64 over its rate
	DroppedWide     int64 // /16 or /48 over its rate
	DroppedGlobal   int64 // all unproven sources over their rate
	RepliesDenied   int64 // replies not sent: unproven source out of credit
}

// Admitter decides, from the source address alone, which datagrams a
// discovery engine may spend work on. Each source IP, its subnet and its
// wide subnet have a token bucket, and all unproven sources share a global
// one. Sources with a proof (they answered us) and replies to our own
// requests take tokens from a reserved lane first, so a flood of unproven
// traffic cannot starve them; when the lane is empty they fall back to the
// unproven checks. Safe for concurrent use; v4 and v5 on a shared socket may
// share one.
type Admitter struct {
	cfg   AdmitConfig
	clock mclock.Clock

	mu       sync.Mutex
	ips      *sourceTable // buckets and reply credit per IP
	subnets  *sourceTable
	wides    *sourceTable
	trusted  *sourceTable // proofs and expectations; only our own actions add to it
	unproven tokenBucket
	reserved tokenBucket

	stats struct {
		admitted, admittedTrusted, admittedLAN           atomic.Int64
		droppedIP, droppedSubnet, droppedWide, droppedGl atomic.Int64
		repliesDenied                                    atomic.Int64
	}
}

// NewAdmitter creates an admitter; a nil clock means mclock.System{}.
func NewAdmitter(cfg AdmitConfig, clock mclock.Clock) *Admitter {
	if clock == nil {
		clock = mclock.System{}
	}
	cfg = cfg.withDefaults()
	now := clock.Now()
	return &Admitter{
		cfg:      cfg,
		clock:    clock,
		ips:      newSourceTable(cfg.MaxSources),
		subnets:  newSourceTable(cfg.MaxSources),
		wides:    newSourceTable(cfg.MaxSources),
		trusted:  newSourceTable(cfg.MaxSources),
		unproven: newBucket(cfg.Unproven, now),
		reserved: newBucket(cfg.Reserved, now),
	}
}

// exempt reports whether ip skips the limits.
func (a *Admitter) exempt(ip netip.Addr) bool {
	if !netutil.IsLAN(ip) {
		return false
	}
	var self netip.Addr
	if a.cfg.Self != nil {
		self = a.cfg.Self()
	}
	return a.cfg.LANExempt.Exempt(ip, self)
}

// Keys of the three bucket tables, with the prefix lengths the table and
// the Server use: one host (an IPv4 address, an IPv6 /64), one operator
// (/24, /48) and one provider (/16, /32).
func hostKey(ip netip.Addr) netip.Prefix { return netutil.HostKey(ip) }

func subnetKey(ip netip.Addr) netip.Prefix {
	return netutil.Subnet(ip, netutil.SubnetBits4, netutil.SubnetBits6)
}

func wideKey(ip netip.Addr) netip.Prefix {
	return netutil.Subnet(ip, netutil.WideSubnet4, netutil.WideSubnet6)
}

// Admit reports whether a datagram of size bytes from ip may be decoded. It
// also credits the bytes to ip's reply allowance (see MayReply).
func (a *Admitter) Admit(ip netip.Addr, size int) bool {
	ip = ip.Unmap().WithZone("")
	if a.exempt(ip) {
		a.stats.admittedLAN.Add(1)
		return true
	}
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()

	src := a.ips.getOrCreate(hostKey(ip), a.initIP(now))
	src.credit = min(src.credit+size, maxReplyCredit)
	t := a.trusted.get(netip.PrefixFrom(ip, ip.BitLen()))
	// A reply we asked for passes every bucket: there are only as many as
	// our own requests opened (Expect), so they need no rate of their own,
	// and a node busy with lookups (a crawler) receives far more replies a
	// second than any per-source or reserved rate would allow.
	if t != nil && now < t.expectUntil && t.credit > 0 {
		t.credit--
		a.stats.admittedTrusted.Add(1)
		return true
	}
	src.bucket.refill(a.cfg.PerIP, now)
	if src.bucket.tokens < 1 {
		a.stats.droppedIP.Add(1)
		return false
	}
	// The reserved lane, for a source with a proof.
	if t != nil && now < t.provenUntil {
		a.reserved.refill(a.cfg.Reserved, now)
		if a.reserved.tokens >= 1 {
			a.reserved.tokens--
			src.bucket.tokens--
			a.stats.admittedTrusted.Add(1)
			return true
		}
	}
	sub := a.subnets.getOrCreate(subnetKey(ip), a.initBucket(a.cfg.PerSubnet, now))
	wide := a.wides.getOrCreate(wideKey(ip), a.initBucket(a.cfg.PerWide, now))
	sub.bucket.refill(a.cfg.PerSubnet, now)
	wide.bucket.refill(a.cfg.PerWide, now)
	a.unproven.refill(a.cfg.Unproven, now)
	switch {
	case sub.bucket.tokens < 1:
		a.stats.droppedSubnet.Add(1)
		return false
	case wide.bucket.tokens < 1:
		a.stats.droppedWide.Add(1)
		return false
	case a.unproven.tokens < 1:
		a.stats.droppedGl.Add(1)
		return false
	}
	// Tokens are taken only when every bucket has one, so a datagram dropped
	// by a wider limit does not also drain the narrower ones.
	src.bucket.tokens--
	sub.bucket.tokens--
	wide.bucket.tokens--
	a.unproven.tokens--
	a.stats.admitted.Add(1)
	return true
}

func (a *Admitter) initIP(now mclock.AbsTime) func(*sourceEntry) {
	return func(e *sourceEntry) {
		e.bucket = newBucket(a.cfg.PerIP, now)
		e.credit = a.cfg.ReplyAllowance
	}
}

func (a *Admitter) initBucket(r Rate, now mclock.AbsTime) func(*sourceEntry) {
	return func(e *sourceEntry) { e.bucket = newBucket(r, now) }
}

// Prove records that ip proved its address (it answered a request of
// ours, or completed a handshake) for the time d.
func (a *Admitter) Prove(ip netip.Addr, d time.Duration) {
	ip = ip.Unmap().WithZone("")
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.trusted.getOrCreate(netip.PrefixFrom(ip, ip.BitLen()), func(*sourceEntry) {})
	t.provenUntil = max(t.provenUntil, now.Add(d))
}

// Expect records that we sent ip a request that up to replies datagrams
// answer within d. Those take the reserved lane: an attacker that spoofs ip
// gets no more of it than the replies we asked for.
func (a *Admitter) Expect(ip netip.Addr, replies int, d time.Duration) {
	ip = ip.Unmap().WithZone("")
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.trusted.getOrCreate(netip.PrefixFrom(ip, ip.BitLen()), func(*sourceEntry) {})
	if now >= t.expectUntil {
		t.credit = 0
	}
	t.credit = min(t.credit+replies, 64)
	t.expectUntil = max(t.expectUntil, now.Add(d))
}

// IsProven reports whether ip holds a proof recorded by Prove.
func (a *Admitter) IsProven(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.trusted.get(netip.PrefixFrom(ip, ip.BitLen()))
	return t != nil && now < t.provenUntil
}

// MayReply reports whether we may send a reply of size bytes to ip, and
// charges it: a source with a proof (or on the LAN) may always be answered;
// any other only while the bytes we sent it stay within the bytes it sent
// us plus ReplyAllowance. That keeps us from amplifying traffic towards a
// forged source address.
func (a *Admitter) MayReply(ip netip.Addr, size int) bool {
	ip = ip.Unmap().WithZone("")
	if a.exempt(ip) || a.IsProven(ip) {
		return true
	}
	now := a.clock.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	src := a.ips.getOrCreate(hostKey(ip), a.initIP(now))
	if src.credit < size {
		a.stats.repliesDenied.Add(1)
		return false
	}
	src.credit -= size
	return true
}

// Stats returns the counts so far.
func (a *Admitter) Stats() AdmitStats {
	s := &a.stats
	return AdmitStats{
		Admitted:        s.admitted.Load(),
		AdmittedTrusted: s.admittedTrusted.Load(),
		AdmittedLAN:     s.admittedLAN.Load(),
		DroppedIP:       s.droppedIP.Load(),
		DroppedSubnet:   s.droppedSubnet.Load(),
		DroppedWide:     s.droppedWide.Load(),
		DroppedGlobal:   s.droppedGl.Load(),
		RepliesDenied:   s.repliesDenied.Load(),
	}
}

// sources returns the number of entries in each table, for tests.
func (a *Admitter) sources() (ips, subnets, wides, trusted int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ips.len(), a.subnets.len(), a.wides.len(), a.trusted.len()
}
