package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
)

// Defaults of the limits in Config.
const (
	// DefaultMaxRequestSize bounds one message (a request or a batch), as
	// go-ethereum bounds its HTTP bodies and WebSocket messages.
	DefaultMaxRequestSize = 1 << 20
	// DefaultMaxBatch bounds the requests of one batch (go-ethereum's
	// BatchRequestLimit is 1000; admin batches are small).
	DefaultMaxBatch = 100
	// DefaultMaxConns bounds the open WebSocket and IPC connections.
	DefaultMaxConns = 32
	// DefaultMaxHTTPConns bounds the TCP connections of the HTTP endpoint
	// (WebSocket ones included); more wait in the kernel's backlog.
	DefaultMaxHTTPConns = 64
	// DefaultMaxSubscriptions bounds the subscriptions of one connection.
	DefaultMaxSubscriptions = 16
	// DefaultSendQueue is how many messages (responses and notifications)
	// wait for one connection's writer. A subscriber that lets it fill is
	// dropped, so that it never holds up the node.
	DefaultSendQueue = 1024
	// DefaultVerdictLog is how many admission verdicts devp2p_verdicts
	// keeps.
	DefaultVerdictLog = 256

	// httpReadHeaderTimeout and httpIdleTimeout keep idle or slow HTTP
	// clients from holding connection slots.
	httpReadHeaderTimeout = 10 * time.Second
	httpIdleTimeout       = 2 * time.Minute
	httpMaxHeaderBytes    = 16 << 10
)

// Config says where the admin API is served and with which limits. The
// zero value serves nothing.
type Config struct {
	// HTTPAddr is the TCP address of the HTTP and WebSocket endpoint, such
	// as "127.0.0.1:8545" (port 0 picks a free port); empty disables it. It
	// must be a loopback address unless AllowRemote is set.
	HTTPAddr string
	// AllowRemote permits an HTTPAddr that is not loopback. It requires a
	// Secret: the admin API adds and removes peers, and must not be open to
	// anyone who reaches the port.
	AllowRemote bool
	// Secret, if set, is a bearer token that every HTTP and WebSocket
	// request must carry ("Authorization: Bearer <Secret>"). At least
	// MinSecretLen bytes.
	Secret string
	// IPCPath is the path of the unix socket endpoint; empty disables it.
	// The socket is created with mode 0600; a stale socket file left by a
	// node that is gone is replaced.
	IPCPath string

	// Limits; zero means the default above.
	MaxRequestSize   int
	MaxBatch         int
	MaxConns         int
	MaxHTTPConns     int
	MaxSubscriptions int
	SendQueue        int
	VerdictLog       int

	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger
}

// MinSecretLen is the shortest Secret accepted.
const MinSecretLen = 16

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxRequestSize, DefaultMaxRequestSize)
	def(&c.MaxBatch, DefaultMaxBatch)
	def(&c.MaxConns, DefaultMaxConns)
	def(&c.MaxHTTPConns, DefaultMaxHTTPConns)
	def(&c.MaxSubscriptions, DefaultMaxSubscriptions)
	def(&c.SendQueue, DefaultSendQueue)
	def(&c.VerdictLog, DefaultVerdictLog)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Errors of New that callers may branch on.
var (
	ErrRemoteNotAllowed = errors.New("admin: the HTTP address is not loopback; remote access needs AllowRemote and a Secret")
	ErrNoSecret         = errors.New("admin: AllowRemote needs a Secret (bearer token)")
)

// Validate checks the configuration as New does, without starting
// anything, so that a program can refuse bad settings before it starts
// its node.
func (c Config) Validate() error {
	c = c.withDefaults()
	return c.validate()
}

func (c *Config) validate() error {
	for name, v := range map[string]int{
		"MaxRequestSize": c.MaxRequestSize, "MaxBatch": c.MaxBatch, "MaxConns": c.MaxConns,
		"MaxHTTPConns": c.MaxHTTPConns, "MaxSubscriptions": c.MaxSubscriptions,
		"SendQueue": c.SendQueue, "VerdictLog": c.VerdictLog,
	} {
		if v < 0 {
			return fmt.Errorf("admin: %s must be ≥ 0, got %d", name, v)
		}
	}
	if c.Secret != "" && len(c.Secret) < MinSecretLen {
		return fmt.Errorf("admin: the secret is %d bytes, want at least %d", len(c.Secret), MinSecretLen)
	}
	if len(c.IPCPath) > maxIPCPathLen {
		return fmt.Errorf("%w: %s is %d bytes, at most %d fit (use a shorter data directory or IPC path)", ErrIPCPathTooLong, c.IPCPath, len(c.IPCPath), maxIPCPathLen)
	}
	if c.HTTPAddr == "" {
		return nil
	}
	loopback, err := isLoopbackAddr(c.HTTPAddr)
	if err != nil {
		return err
	}
	switch {
	case c.AllowRemote && c.Secret == "":
		return ErrNoSecret
	case !loopback && !c.AllowRemote:
		return fmt.Errorf("%w (got %s)", ErrRemoteNotAllowed, c.HTTPAddr)
	}
	return nil
}

// Server serves the admin API of a devp2p.Server over HTTP, WebSocket and
// a unix socket. Create it with New; Close stops it.
type Server struct {
	cfg      Config
	p2p      *devp2p.Server
	log      *slog.Logger
	verdicts *verdictLog

	httpLn  net.Listener
	httpSrv *http.Server
	ipcLn   *net.UnixListener

	// mu guards the fields below.
	mu      sync.Mutex
	closed  bool
	streams map[*stream]struct{} // open WebSocket and IPC connections
	wg      sync.WaitGroup       // every goroutine of the server
}

// New starts serving the admin API of srv at the endpoints of cfg. srv
// must be running; the admin server does not stop it.
func New(srv *devp2p.Server, cfg Config) (_ *Server, err error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		p2p:     srv,
		log:     cfg.Logger,
		streams: make(map[*stream]struct{}),
	}
	s.verdicts = newVerdictLog(srv, cfg.VerdictLog)
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if cfg.HTTPAddr != "" {
		if err := s.startHTTP(); err != nil {
			return nil, err
		}
	}
	if cfg.IPCPath != "" {
		if err := s.startIPC(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// HTTPAddr returns the address of the HTTP and WebSocket endpoint, nil when
// it is disabled.
func (s *Server) HTTPAddr() net.Addr {
	if s.httpLn == nil {
		return nil
	}
	return s.httpLn.Addr()
}

// IPCPath returns the path of the unix socket, empty when it is disabled.
func (s *Server) IPCPath() string {
	if s.ipcLn == nil {
		return ""
	}
	return s.cfg.IPCPath
}

// Close stops the endpoints, drops every connection and returns when all
// goroutines of the server are gone. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for st := range s.streams {
		st.drop("admin server closing")
	}
	s.mu.Unlock()
	if s.httpSrv != nil {
		s.httpSrv.Close()
	} else if s.httpLn != nil {
		s.httpLn.Close()
	}
	if s.ipcLn != nil {
		s.ipcLn.Close()
	}
	s.wg.Wait()
	s.verdicts.close()
	return nil
}

// enter registers a goroutine about to serve a request or a connection;
// it fails once Close has begun. leave undoes it.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

func (s *Server) leave() { s.wg.Done() }

var errTooManyConns = errors.New("too many admin connections")

// addStream registers a WebSocket or IPC connection within MaxConns.
func (s *Server) addStream(st *stream) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("admin server closing")
	}
	if len(s.streams) >= s.cfg.MaxConns {
		return fmt.Errorf("%w (at most %d)", errTooManyConns, s.cfg.MaxConns)
	}
	s.streams[st] = struct{}{}
	return nil
}

func (s *Server) removeStream(st *stream) {
	s.mu.Lock()
	delete(s.streams, st)
	s.mu.Unlock()
}

// handleMessage answers one message (a request or a batch); nil when it
// holds only notifications.
func (s *Server) handleMessage(c *call, msg []byte) []byte {
	batch, derr := DecodeRequest(msg, Limits{MaxBatch: s.cfg.MaxBatch})
	if derr != nil {
		return mustMarshal(errorResponse(nil, derr))
	}
	var resps []*response
	for _, bc := range batch.Calls {
		if bc.Err != nil {
			var id json.RawMessage
			if bc.Req != nil {
				id = bc.Req.ID
			}
			resps = append(resps, errorResponse(id, bc.Err))
			continue
		}
		result, err := s.dispatch(c, bc.Req)
		if bc.Req.IsNotification() {
			continue
		}
		if err == nil {
			var raw json.RawMessage
			if raw, err = marshalResult(result); err == nil {
				resps = append(resps, &response{JSONRPC: "2.0", ID: bc.Req.ID, Result: raw})
				continue
			}
		}
		resps = append(resps, errorResponse(bc.Req.ID, err))
	}
	switch {
	case len(resps) == 0:
		return nil
	case !batch.IsBatch:
		return mustMarshal(resps[0])
	}
	return mustMarshal(resps)
}

// mustMarshal encodes responses, whose results are already JSON.
func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("admin: encoding a response: %v", err)) // cannot happen: all parts are valid JSON
	}
	return b
}
