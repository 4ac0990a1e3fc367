package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

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
	stderr *strings.Builder
	done   chan struct{}
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
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: new(strings.Builder), done: make(chan struct{})}
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
	ctx, cancel := context.WithTimeout(context.Background(), procWait)
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
			p.t.Fatalf("no line %q within %v\nstderr: %s", prefix, procWait, p.stderr)
		}
	}
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
	mustFail(t, "invalid --nat", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nat", "bogus")
	mustFail(t, "--bootnodes", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--bootnodes", "enode://xyz@1.2.3.4:30303")
	mustFail(t, "invalid --nodekeyhex", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nodekeyhex", "1234")
	mustFail(t, "invalid --netrestrict", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--netrestrict", "10.0.0.0/99")
	mustFail(t, "invalid --verbosity", "node", "--datadir", dir, "--verbosity", "9")
	mustFail(t, "invalid --maxpeers", "node", "--datadir", dir, "--maxpeers", "0")

	keyfile := filepath.Join(dir, "bad.key")
	os.WriteFile(keyfile, []byte("not a key\n"), 0o600)
	mustFail(t, "invalid --nodekey", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nodekey", keyfile)

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
	key := "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291" // specs/enr.md example
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
var statusRE = regexp.MustCompile(`^peers (\d+) \(in (\d+), out (\d+)\)  dials (\d+)  table (off|\d+)( \(v5 \d+\))?  traffic in \d+(\.\d)? (B|KiB|MiB|GiB) out \d+(\.\d)? (B|KiB|MiB|GiB)  msgs in \d+ out \d+$`)

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
			if m[5] != "off" {
				t.Errorf("table %s with --nodiscover, want off", m[5])
			}
			break
		}
	}
	node.stopWith(syscall.SIGTERM) // SIGTERM stops as cleanly as SIGINT
}
