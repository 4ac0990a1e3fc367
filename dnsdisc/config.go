package dnsdisc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
)

// Defaults of Config, the values go-ethereum's client uses.
const (
	DefaultTimeout         = 5 * time.Second  // one DNS query
	DefaultRecheckInterval = 30 * time.Minute // root re-check of a synced tree
	DefaultCacheLimit      = 1000             // verified entries kept
	DefaultRateLimit       = 3                // queries per second
	DefaultRateBurst       = 10               // queries at once after idling
	DefaultMaxTrees        = 64               // trees an iterator follows (roots and links)
)

// retryBackoff bounds how soon a tree whose root could not be fetched is
// tried again; it doubles per failure up to RecheckInterval.
const retryBackoff = 10 * time.Second

// Resolver looks up the TXT records of a DNS name. It must return when ctx is
// done. *net.Resolver implements it (give it a custom Dial to use a private
// DNS server). Each string returned is one TXT record, its character-strings
// joined.
type Resolver interface {
	LookupTXT(ctx context.Context, domain string) ([]string, error)
}

// Config is the configuration of a Client. The zero value is usable.
type Config struct {
	Resolver        Resolver      // default net.DefaultResolver
	Timeout         time.Duration // per query; default DefaultTimeout
	RecheckInterval time.Duration // how often the root of a tree is re-read
	CacheLimit      int           // verified entries kept; default DefaultCacheLimit
	RateLimit       float64       // queries per second; default DefaultRateLimit
	RateBurst       int           // default DefaultRateBurst
	MaxTrees        int           // trees one iterator follows; default DefaultMaxTrees
	// ValidSchemes verifies the records of enr: leaves; default
	// enode.ValidSchemes.
	ValidSchemes enr.IdentityScheme
	Clock        mclock.Clock // default mclock.System
	Logger       *slog.Logger // default slog.Default()
}

func (cfg Config) withDefaults() Config {
	if cfg.Resolver == nil {
		cfg.Resolver = defaultResolver()
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RecheckInterval == 0 {
		cfg.RecheckInterval = DefaultRecheckInterval
	}
	if cfg.CacheLimit == 0 {
		cfg.CacheLimit = DefaultCacheLimit
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateBurst == 0 {
		cfg.RateBurst = DefaultRateBurst
	}
	if cfg.MaxTrees == 0 {
		cfg.MaxTrees = DefaultMaxTrees
	}
	if cfg.ValidSchemes == nil {
		cfg.ValidSchemes = enode.ValidSchemes
	}
	if cfg.Clock == nil {
		cfg.Clock = mclock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

func (cfg Config) validate() error {
	var errs []error
	if cfg.Timeout < 0 {
		errs = append(errs, fmt.Errorf("negative Timeout %v", cfg.Timeout))
	}
	if cfg.RecheckInterval < 0 {
		errs = append(errs, fmt.Errorf("negative RecheckInterval %v", cfg.RecheckInterval))
	}
	if cfg.CacheLimit < 0 {
		errs = append(errs, fmt.Errorf("negative CacheLimit %d", cfg.CacheLimit))
	}
	if cfg.RateLimit < 0 || cfg.RateBurst < 0 {
		errs = append(errs, errors.New("negative RateLimit or RateBurst"))
	}
	if cfg.MaxTrees < 0 {
		errs = append(errs, fmt.Errorf("negative MaxTrees %d", cfg.MaxTrees))
	}
	return errors.Join(errs...)
}
