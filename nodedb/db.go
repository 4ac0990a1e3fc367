package nodedb

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// schemaVersion is stored under the "v" key. A database holding another
// version is moved aside and recreated: it is a cache, so nothing is lost that
// the network cannot give back.
const schemaVersion = 1

// Pebble sizing. The defaults (4 MiB memtable, 8 MiB block cache) are made for
// big databases; a node database holds a few MiB at most, and an idle
// in-memory instance should cost little so that simulations can run hundreds
// of nodes in one process.
//
// Measured (CGO_ENABLED=0, pebble v2.1.7): an idle in-memory pebble costs
// ~500 KiB of heap with its defaults and ~310 KiB with a 64 KiB memtable,
// which pebble allocates up front; go-ethereum's leveldb one costs ~4 MiB.
const (
	memTableSizeMem  = 64 << 10  // bytes; in-memory DBs (tests, simulations)
	memTableSizeDisk = 1 << 20   // bytes; on disk, fewer flushes are worth 1 MiB
	cacheSize        = 256 << 10 // bytes of block cache (allocated lazily)
	maxOpenFiles     = 64        // node databases have a handful of sstables
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("nodedb: closed")

// DB is the node database. It is safe for concurrent use.
type DB struct {
	clock mclock.Clock
	log   *slog.Logger
	self  enode.ID // zero: none
	path  string   // "" for in-memory

	// closeMu guards the pebble handle against use after Close: every
	// operation holds it for reading, Close takes it for writing.
	closeMu sync.RWMutex
	pdb     *pebble.DB
	closed  bool

	// writeMu serialises read-modify-write sequences (seq check on
	// UpdateNode, the good-peer index).
	writeMu sync.Mutex

	quit      chan struct{}
	syncReq   chan struct{} // to the syncer (durable.go); nil without one
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Config holds the database's settings. The zero value is an in-memory
// database with the defaults.
type Config struct {
	// Path is the database directory; "" keeps the database in memory.
	Path string
	// Self is the local node's ID: it is never returned as a seed or good
	// peer. The zero ID means none.
	Self enode.ID
	// Clock gives the times stored (its Wall time) and drives the expirer.
	// Default mclock.System{}.
	Clock mclock.Clock
	// Logger receives the database's logs. Default slog.Default().
	Logger *slog.Logger

	noExpirer bool // benchmarks and tests that call ExpireNodes by hand
}

func (cfg Config) withDefaults() Config {
	if cfg.Clock == nil {
		cfg.Clock = mclock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}

// validate rejects a path with leading or trailing white space: a typo in a
// config file, which would otherwise create a directory of that name.
func (cfg Config) validate() error {
	if strings.TrimSpace(cfg.Path) != cfg.Path {
		return fmt.Errorf("nodedb: path %q has leading or trailing white space", cfg.Path)
	}
	return nil
}

// Open opens the node database at cfg.Path, or an in-memory database when the
// path is empty. A path that does not hold a usable database of this schema
// (a file, a foreign or corrupt directory, another version) is moved aside
// with a warning and a fresh database is created; if even that fails, Open
// falls back to an in-memory database. The node database is a cache and must
// never stop a node from starting, so Open returns an error only for an
// invalid Config.
func Open(cfg Config) (*DB, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	db := &DB{
		clock: cfg.Clock,
		log:   cfg.Logger.With("component", "nodedb"),
		self:  cfg.Self,
		path:  cfg.Path,
	}
	if !cfg.noExpirer {
		db.quit = make(chan struct{})
	}

	pdb, err := db.openPersistent()
	if err != nil {
		db.log.Warn("Node database unusable, using an in-memory one", "path", cfg.Path, "err", err)
		db.path = ""
		if pdb, err = db.openFresh(""); err != nil {
			// An empty in-memory filesystem does not fail to open.
			return nil, fmt.Errorf("nodedb: open in-memory database: %w", err)
		}
	}
	db.pdb = pdb
	if db.quit != nil {
		db.wg.Add(2)
		go db.expirer(db.clock.NewTimer(expiryInterval))
		db.syncReq = make(chan struct{}, 1)
		go db.syncer()
	}
	return db, nil
}

// openPersistent opens db.path (or memory), moving a bad directory aside once.
func (db *DB) openPersistent() (*pebble.DB, error) {
	if db.path == "" {
		return db.openFresh("")
	}
	pdb, err := db.openChecked(db.path)
	if err == nil {
		return pdb, nil
	}
	if isLockErr(err) {
		// Another process uses this database. Moving it aside would not help
		// (and would hide the other database from its owner).
		return nil, err
	}
	db.log.Warn("Node database unusable, moving it aside", "path", db.path, "err", err)
	if err := moveAside(db.path, db.clock.Wall()); err != nil {
		return nil, err
	}
	return db.openChecked(db.path)
}

// openChecked opens an existing or new database and checks it is ours.
func (db *DB) openChecked(path string) (*pebble.DB, error) {
	if fi, err := os.Stat(path); err == nil {
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", path)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 {
			desc, err := pebble.Peek(path, vfs.Default)
			if err != nil {
				return nil, fmt.Errorf("inspect: %w", err)
			}
			if !desc.Exists {
				return nil, errors.New("directory holds no pebble database")
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	pdb, err := db.openFresh(path)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(pdb); err != nil {
		pdb.Close()
		return nil, err
	}
	return pdb, nil
}

// openFresh opens pebble with our options; path "" is in memory. Pebble
// panics on some kinds of corruption, so a panic becomes an error here.
func (db *DB) openFresh(path string) (pdb *pebble.DB, err error) {
	opts := &pebble.Options{
		MemTableSize:                memTableSizeDisk,
		MemTableStopWritesThreshold: 4,
		CacheSize:                   cacheSize,
		MaxOpenFiles:                maxOpenFiles,
		Logger:                      pebbleLogger{db.log},
	}
	if path == "" {
		opts.FS = vfs.NewMem()
		opts.MemTableSize = memTableSizeMem
	} else {
		// Set explicitly: pebble's default wraps the FS in a disk-health
		// checker whose goroutine leaks when Open fails.
		opts.FS = vfs.Default
	}
	defer func() {
		if r := recover(); r != nil {
			pdb, err = nil, fmt.Errorf("pebble panicked: %v", r)
		}
	}()
	pdb, err = pebble.Open(path, opts)
	if err != nil {
		return nil, err
	}
	if path == "" {
		err = checkVersion(pdb) // writes the version into the empty DB
	}
	return pdb, err
}

// checkVersion accepts an empty database (and stamps it) or one of our schema
// version; everything else is an error.
func checkVersion(pdb *pebble.DB) error {
	v, closer, err := pdb.Get(versionKey)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		it, err := pdb.NewIter(nil)
		if err != nil {
			return err
		}
		empty := !it.First()
		if err := it.Close(); err != nil {
			return err
		}
		if !empty {
			return errors.New("database has no schema version")
		}
		return pdb.Set(versionKey, encodeUint(schemaVersion), pebble.Sync)
	case err != nil:
		return err
	}
	defer closer.Close()
	if x, ok := decodeUint(v); !ok || x != schemaVersion {
		return fmt.Errorf("schema version %x, want %d", v, schemaVersion)
	}
	return nil
}

// moveAside renames path to path.corrupt-<unix>, or removes it if that fails.
func moveAside(path string, now time.Time) error {
	aside := fmt.Sprintf("%s.corrupt-%d", path, now.Unix())
	if err := os.Rename(path, aside); err == nil {
		return nil
	}
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("cannot move aside or remove %s: %w", path, err)
	}
	return nil
}

func isLockErr(err error) bool {
	// Pebble wraps the flock error in a message; there is no sentinel.
	s := err.Error()
	return strings.Contains(s, "lock held") || strings.Contains(s, "resource temporarily unavailable")
}

// Close stops the expirer and closes the database. It is idempotent.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		if db.quit != nil {
			close(db.quit)
		}
		db.wg.Wait()
		db.closeMu.Lock()
		defer db.closeMu.Unlock()
		db.closed = true
		err = db.pdb.Close()
	})
	return err
}

// acquire returns the pebble handle for one operation, or nil after Close. The
// caller must call release when the handle is non-nil.
func (db *DB) acquire() *pebble.DB {
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return nil
	}
	return db.pdb
}

func (db *DB) release() { db.closeMu.RUnlock() }

// pebbleLogger sends pebble's own log lines to slog. Pebble's informational
// chatter (flushes, compactions) goes to Debug.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble: " + fmt.Sprintf(format, args...))
}

// Fatalf must not return (pebble relies on it). Panicking lets Open turn a
// fatal error while opening into a fresh database.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error("pebble fatal: " + msg)
	panic("pebble: " + msg)
}
