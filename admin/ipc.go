package admin

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// maxIPCPathLen is the longest unix socket path the kernel takes:
// sizeof(sockaddr_un.sun_path) less the terminating NUL is 107 on Linux
// (103 on the BSDs and macOS, which this limit does not cover; they fail
// at bind with an error that names the path).
const maxIPCPathLen = 107

// ErrIPCPathTooLong is returned by New when Config.IPCPath does not fit
// in a unix socket address.
var ErrIPCPathTooLong = errors.New("admin: IPC path too long for a unix socket")

func (s *Server) startIPC() error {
	path := s.cfg.IPCPath // validate checked its length
	if err := removeStaleSocket(path); err != nil {
		return err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fmt.Errorf("admin: IPC: %w", err)
	}
	// Only the node's user may talk to it: the API adds and removes peers.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fmt.Errorf("admin: IPC: %w", err)
	}
	s.ipcLn = ln
	s.wg.Add(1)
	go s.acceptIPC()
	return nil
}

// removeStaleSocket removes a socket file that no process listens on any
// more (a node that was killed leaves it behind). A live socket means
// another node uses the path; a file that is not a socket is left alone.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("admin: IPC: %w", err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("admin: IPC: %s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("admin: IPC: %s is in use (another node running with this data directory?)", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("admin: IPC: removing stale socket: %w", err)
	}
	return nil
}

func (s *Server) acceptIPC() {
	defer s.wg.Done()
	for {
		fd, err := s.ipcLn.Accept()
		if err != nil {
			return // closed by Close
		}
		s.serveIPC(fd)
	}
}

// serveIPC starts serving fd, or refuses it when the connection limit is
// reached.
func (s *Server) serveIPC(fd net.Conn) {
	st := newStream(s, newIPCConn(fd, s.cfg.MaxRequestSize))
	if err := s.addStream(st); err != nil {
		msg := mustMarshal(errorResponse(nil, errorf(CodeServerError, "%v", err)))
		fd.SetWriteDeadline(time.Now().Add(time.Second))
		fd.Write(append(msg, '\n'))
		fd.Close()
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		st.serve()
	}()
}

// ipcConn frames messages on a stream socket: JSON values in, one JSON
// value and a newline out.
type ipcConn struct {
	fd      net.Conn
	scanner *bufio.Scanner
	stop    func() bool // of the context.AfterFunc that closes fd
	once    sync.Once
}

func newIPCConn(fd net.Conn, maxSize int) *ipcConn {
	sc := bufio.NewScanner(fd)
	sc.Buffer(make([]byte, 0, 4096), maxSize)
	sc.Split(new(jsonSplitter).split)
	return &ipcConn{fd: fd, scanner: sc}
}

func (c *ipcConn) read(ctx context.Context) ([]byte, error) {
	c.once.Do(func() {
		// The stream's context ends the blocking reads by closing fd.
		c.stop = context.AfterFunc(ctx, func() { c.fd.Close() })
	})
	if c.scanner.Scan() {
		return c.scanner.Bytes(), nil
	}
	if errors.Is(c.scanner.Err(), bufio.ErrTooLong) {
		return nil, errTooLarge
	}
	if err := c.scanner.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("connection closed")
}

func (c *ipcConn) write(ctx context.Context, msg []byte) error {
	if d, ok := ctx.Deadline(); ok {
		c.fd.SetWriteDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { c.fd.SetWriteDeadline(time.Now()) })
	defer stop()
	_, err := c.fd.Write(append(msg, '\n'))
	return err
}

func (c *ipcConn) close(string) {
	if c.stop != nil {
		c.stop()
	}
	c.fd.Close()
}
