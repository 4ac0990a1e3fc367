package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// procWait bounds every wait on a child process; reaching it is a failure.
const procWait = 60 * time.Second

// proc is a running devp2p child whose stdout is read line by line.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	stderr *outputLog
	done   chan struct{}
}

// outputLog collects a child's stderr and tells waiters when it grew. It
// never blocks the writer, so a chatty child cannot stall.
type outputLog struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{} // capacity 1: "something was written since you looked"
}

func newOutputLog() *outputLog { return &outputLog{changed: make(chan struct{}, 1)} }

func (o *outputLog) Write(p []byte) (int, error) {
	o.mu.Lock()
	o.b.Write(p)
	o.mu.Unlock()
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (o *outputLog) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// start runs the binary in the background. The test ends it with stop or
// interrupt; Cleanup kills it if the test failed first.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: newOutputLog(), done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitLine returns the first line starting with prefix (without it).
func (p *proc) waitLine(prefix string) string {
	p.t.Helper()
	return p.waitLineWithin(prefix, procWait)
}

// waitLineWithin is waitLine with another bound, for lines that come after
// work whose speed depends on the machine's load.
func (p *proc) waitLineWithin(prefix string, bound time.Duration) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("devp2p exited before printing %q\nstderr: %s", prefix, p.stderr)
			}
			if rest, found := strings.CutPrefix(line, prefix); found {
				return strings.TrimSpace(rest)
			}
		case <-ctx.Done():
			p.t.Fatalf("no line %q within %v\nstderr: %s", prefix, bound, p.stderr)
		}
	}
}

// waitStderr returns the first stderr line that contains every one of
// want.
func (p *proc) waitStderr(want ...string) string {
	p.t.Helper()
	timeout := time.NewTimer(procWait)
	defer timeout.Stop()
	for {
		for line := range strings.Lines(p.stderr.String()) {
			if containsAll(line, want) {
				return strings.TrimSpace(line)
			}
		}
		select {
		case <-p.stderr.changed:
		case <-p.done:
			// Exited: what it wrote is all there is (exec copies stderr
			// before Wait returns).
			for line := range strings.Lines(p.stderr.String()) {
				if containsAll(line, want) {
					return strings.TrimSpace(line)
				}
			}
			p.t.Fatalf("devp2p exited without logging %q\nstderr: %s", want, p.stderr)
		case <-timeout.C:
			p.t.Fatalf("no stderr line with %q within %v\nstderr: %s", want, procWait, p.stderr)
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// interrupt sends SIGINT and waits for a clean exit.
func (p *proc) interrupt() {
	p.t.Helper()
	p.stopWith(os.Interrupt)
}

// stopWith sends sig and waits for a clean exit.
func (p *proc) stopWith(sig os.Signal) {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	p.waitLine("stopped")
	select {
	case <-p.done:
	case <-time.After(procWait):
		p.t.Fatalf("devp2p did not exit after SIGINT")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		p.t.Fatalf("exit code %d after SIGINT\nstderr: %s", code, p.stderr)
	}
}

func TestNode(t *testing.T) {
	datadir := t.TempDir()
	node := start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--verbosity", "4")
	id := node.waitLine("node")
	listen := node.waitLine("listen")
	url := node.waitLine("enode")
	rec := node.waitLine("enr")
	if strings.HasSuffix(listen, ":0") || !strings.Contains(url, listen[strings.LastIndex(listen, ":"):]) {
		t.Fatalf("enode %s does not carry the chosen address %s", url, listen)
	}
	if _, err := os.Stat(filepath.Join(datadir, "nodekey")); err != nil {
		t.Errorf("no node key in datadir: %v", err)
	}

	// A second process can reach it over RLPx and discv4.
	out := mustRun(t, "rlpx", "ping", url)
	if !strings.Contains(out, id) || !strings.Contains(out, "devp2p-go") {
		t.Errorf("rlpx ping output:\n%s", out)
	}
	out = mustRun(t, "discv4", "ping", "--listen", "127.0.0.1:0", rec)
	if !strings.Contains(out, "pong from") {
		t.Errorf("discv4 ping output:\n%s", out)
	}

	// Busy port: a second node on the same address fails at once.
	mustFail(t, "address already in use", "node", "--datadir", t.TempDir(), "--listen", listen)

	node.interrupt()

	// Same datadir, same identity.
	node2 := start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--v5", "--status", "1ms")
	if id2 := node2.waitLine("node"); id2 != id {
		t.Errorf("restarted node has ID %s, want %s", id2, id)
	}
	if st := node2.waitLine("status"); !strings.Contains(st, "(v5 ") {
		t.Errorf("status line of a --v5 node lacks the v5 table: %s", st)
	} else if !statusRE.MatchString(st) {
		t.Errorf("status line %q does not match %v", st, statusRE)
	}
	node2.interrupt()
	// The database was closed cleanly: the restart reopened it rather than
	// moving a damaged one aside.
	entries, err := os.ReadDir(datadir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "nodekey nodes" {
		t.Errorf("datadir holds %v, want [nodekey nodes]", names)
	}
}

func TestNodeBadFlags(t *testing.T) {
	dir := t.TempDir()
	mustFail(t, `devp2p: --nat "bogus": `, "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nat", "bogus")
	mustFail(t, "devp2p: --bootnodes: ", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--bootnodes", "enode://xyz@1.2.3.4:30303")
	mustFail(t, "devp2p: --nodekeyhex: ", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nodekeyhex", "1234")
	mustFail(t, `devp2p: --netrestrict "10.0.0.0/99": `, "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--netrestrict", "10.0.0.0/99")
	mustFail(t, "devp2p: --verbosity 9: want 0-5", "node", "--datadir", dir, "--verbosity", "9")

	keyfile := filepath.Join(dir, "bad.key")
	os.WriteFile(keyfile, []byte("not a key\n"), 0o600)
	mustFail(t, "devp2p: --nodekey: invalid node key file "+keyfile, "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nodekey", keyfile)
	mustFail(t, "devp2p: --nodekey: key file "+filepath.Join(dir, "absent")+": no such file", "node", "--datadir", dir, "--nodekey", filepath.Join(dir, "absent"))

	// A port held by someone else.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	mustFail(t, "address already in use", "node", "--datadir", dir, "--listen", l.Addr().String())
}

func TestNodeConfigFile(t *testing.T) {
	dir := t.TempDir()
	key := "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291" // EIP-778 example
	id := exampleID                                                           // EIP-778 example key
	cfgFile := filepath.Join(dir, "node.toml")
	os.WriteFile(cfgFile, []byte(`
Name = "from-config"
ListenAddr = "127.0.0.1:0"
MaxPeers = 7
PrivateKey = "`+key+`"
`), 0o600)
	node := start(t, "node", "--config", cfgFile, "--datadir", dir, "--verbosity", "0")
	if got := node.waitLine("node"); got != id {
		t.Errorf("node ID %s, want %s (the config file's key)", got, id)
	}
	url := node.waitLine("enode")
	if out := mustRun(t, "rlpx", "ping", url); !strings.Contains(out, "from-config") {
		t.Errorf("rlpx ping does not show the configured name:\n%s", out)
	}
	node.interrupt()

	// A flag wins over the file.
	node = start(t, "node", "--config", cfgFile, "--datadir", dir, "--verbosity", "0", "--nodekeyhex", strings.Repeat("1", 64))
	if got := node.waitLine("node"); got == id {
		t.Errorf("--nodekeyhex did not override the config file's key")
	}
	node.interrupt()

	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("MaxPeerz = 3\n"), 0o600)
	mustFail(t, "MaxPeerz", "node", "--config", bad, "--datadir", dir)
}

// statusRE is the format of the status line (README, "node").
var statusRE = regexp.MustCompile(`^peers (\d+) \(in (\d+), out (\d+)\)  dials (\d+)( \[\S+ \d+/\d+(?: \S+ \d+/\d+)*\])?  table (off|\d+)( \(v5 \d+\))?  traffic in \d+(\.\d)? (B|KiB|MiB|GiB) out \d+(\.\d)? (B|KiB|MiB|GiB)  msgs in \d+ out \d+$`)

// TestNodeStatusDials: the status line shows the dials running. The node's
// only static node accepts TCP and never answers, so its dial stays in the
// RLPx handshake while the test reads status lines.
func TestNodeStatusDials(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	static := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, l.Addr().(*net.TCPAddr).Port, 0)
	accepted := make(chan net.Conn, 1)
	go func() {
		fd, err := l.Accept()
		if err == nil {
			accepted <- fd
		}
		close(accepted)
	}()

	node := start(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--nodiscover",
		"--static", static.URLv4(), "--status", "10ms", "--verbosity", "0")
	var fd net.Conn
	select {
	case fd = <-accepted:
	case <-time.After(procWait):
		t.Fatal("the node did not dial its static node")
	}
	if fd == nil {
		t.Fatal("accept failed")
	}
	defer fd.Close()
	// The dial is running from the accept until the handshake times out
	// (5 s) or the node stops: a status line shows it.
	for {
		st := node.waitLine("status")
		m := statusRE.FindStringSubmatch(st)
		if m == nil {
			t.Fatalf("status line %q does not match %v", st, statusRE)
		}
		if m[4] == "1" {
			if m[6] != "off" {
				t.Errorf("table %s with --nodiscover, want off", m[6])
			}
			// Per source: no peer yet from the static node, one dial.
			if m[5] != " [static 0/1]" {
				t.Errorf("dial sources %q, want \" [static 0/1]\"", m[5])
			}
			break
		}
	}
	node.stopWith(syscall.SIGTERM) // SIGTERM stops as cleanly as SIGINT
}

// TestNodeLogsPeerDrops: at the default log level, the node says once why
// a peer went. The peer here is a Server that runs a sub-protocol, which
// drops the node, as execution clients do, because the node runs none.
func TestNodeLogsPeerDrops(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	remote := &devp2p.Server{Config: devp2p.Config{
		PrivateKey:  key,
		MaxPeers:    5,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      true,
		Logger:      slog.New(slog.DiscardHandler),
		Protocols: []devp2p.Protocol{{
			Name: "eth", Version: 68, Length: 17,
			Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
				t.Error("the protocol ran with a peer that has none")
				return nil
			},
		}},
	}}
	if err := remote.Start(); err != nil {
		t.Fatal(err)
	}
	defer remote.Stop()

	node := start(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--nodiscover",
		"--static", remote.Self().URLv4(), "--status", "0")
	line := node.waitStderr("Peer dropped", "useless peer")
	t.Log(line)
	// (The name and caps of the peer are shown when the watcher saw the
	// peer before it went; this one goes at once, so they may be absent.)
	for _, want := range []string{"level=INFO", "peer=" + remote.Self().ID().TerminalString(), "no common sub-protocol"} {
		if !strings.Contains(line, want) {
			t.Errorf("drop line lacks %q: %s", want, line)
		}
	}
	node.interrupt()
	// Per-packet or per-step detail stays at Debug.
	for line := range strings.Lines(node.stderr.String()) {
		if strings.Contains(line, "level=DEBUG") {
			t.Errorf("Debug line at the default level: %s", line)
		}
	}
}
