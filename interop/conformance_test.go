package interop

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
)

// The discovery conformance suites that go-ethereum ships in its devp2p
// tool ("devp2p discv4 test", "devp2p discv5 test") are what other clients
// run against a node under test. They live in internal packages, so the
// tests below build the tool from the module cache and run it, as a client
// developer would, against one of our Servers on 127.0.0.1. The suites'
// second tester binds 127.0.0.2, which Linux routes on loopback.

const conformanceTimeout = 5 * time.Minute

var (
	gethToolOnce sync.Once
	gethToolDir  string
	gethToolPath string
	gethToolErr  error
	gethToolOut  []byte
)

// gethTool builds go-ethereum's devp2p command once per test binary.
func gethTool(t *testing.T) string {
	t.Helper()
	gethToolOnce.Do(func() {
		dir, err := os.MkdirTemp("", "interop-geth-devp2p-")
		if err != nil {
			gethToolErr = err
			return
		}
		gethToolDir = dir
		gethToolPath = filepath.Join(dir, "geth-devp2p")
		cmd := exec.Command("go", "build", "-o", gethToolPath, "github.com/ethereum/go-ethereum/cmd/devp2p")
		gethToolOut, gethToolErr = cmd.CombinedOutput()
	})
	if gethToolErr != nil {
		t.Fatalf("building go-ethereum's devp2p tool: %v\n%s", gethToolErr, gethToolOut)
	}
	return gethToolPath
}

// startConformanceTarget runs one of our Servers with discv4 and discv5 on a
// shared port, as "devp2p node --v5" does.
func startConformanceTarget(t *testing.T) *devp2p.Server {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &devp2p.Server{Config: devp2p.Config{
		PrivateKey:  key,
		MaxPeers:    10,
		ListenAddr:  "127.0.0.1:0",
		DiscoveryV5: true,
		NoDial:      true,
		Logger:      slog.New(slog.DiscardHandler),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

var suiteSummary = regexp.MustCompile(`(?m)^(\d+)/(\d+) tests passed\.`)

// runSuite runs "geth-devp2p <args>" and fails the test unless every test
// of the suite passed; the suite's output is logged either way.
func runSuite(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), conformanceTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, gethTool(t), args...).CombinedOutput()
	m := suiteSummary.FindSubmatch(out)
	if m == nil {
		t.Fatalf("suite printed no summary (err %v):\n%s", err, out)
	}
	passed, _ := strconv.Atoi(string(m[1]))
	total, _ := strconv.Atoi(string(m[2]))
	if err != nil || passed != total || total == 0 {
		t.Fatalf("%d/%d conformance tests passed (err %v):\n%s", passed, total, err, out)
	}
	t.Logf("%d/%d conformance tests passed", passed, total)
}

// TestConformanceDiscv4 runs go-ethereum's discv4 test suite against us.
func TestConformanceDiscv4(t *testing.T) {
	srv := startConformanceTarget(t)
	runSuite(t, "discv4", "test", "--remote", srv.Self().URLv4())
}

// TestConformanceDiscv5 runs go-ethereum's discv5 test suite against us.
func TestConformanceDiscv5(t *testing.T) {
	srv := startConformanceTarget(t)
	runSuite(t, "discv5", "test", srv.Self().String())
}

// TestMain removes the tool built by gethTool.
func TestMain(m *testing.M) {
	code := m.Run()
	if gethToolDir != "" {
		os.RemoveAll(gethToolDir)
	}
	os.Exit(code)
}
