package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// binary is the devp2p command built once for all tests, so that tests run
// the real program the way a user does.
var binary string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "devp2p-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "devp2p")
	// The binary is built without -race even when the tests run under
	// it: the race detector slows the nodes' crypto several times over, and
	// on a busy CI machine discovery replies then miss their 500 ms window,
	// so devnet and crawl would test the machine's load instead of the
	// command. The Server and discovery run under -race in their own
	// packages' tests.
	// -buildvcs=auto: stamp the VCS revision when the checkout allows it
	// (a clone does; a git worktree does not), whatever GOFLAGS says, so
	// that TestVersion sees what a user's build shows.
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building devp2p:", err)
		return 1
	}
	return m.Run()
}

// cmdResult is what one run of the binary produced.
type cmdResult struct {
	stdout, stderr string
	exitCode       int
}

// run runs the binary to completion with a generous bound, so a hang fails
// the test instead of the whole package.
func run(t *testing.T, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cmdResult{stdout: stdout.String(), stderr: stderr.String()}
	if exitErr, ok := err.(*exec.ExitError); ok {
		res.exitCode = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("devp2p %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// mustRun runs the binary and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	res := run(t, args...)
	if res.exitCode != 0 {
		t.Fatalf("devp2p %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.exitCode, res.stdout, res.stderr)
	}
	return res.stdout
}

// mustFail runs the binary, expects exit code 1 with a one-line reason on
// stderr that contains want.
func mustFail(t *testing.T, want string, args ...string) {
	t.Helper()
	mustFailWith(t, 1, want, args...)
}

// mustFailWith runs the binary, expects exit code code and one line on
// stderr, with one "devp2p: " prefix, that contains want and none of the
// names a user never typed (library fields, temporary files).
func mustFailWith(t *testing.T, code int, want string, args ...string) cmdResult {
	t.Helper()
	res := run(t, args...)
	cmdline := strings.Join(args, " ")
	if res.exitCode != code {
		t.Fatalf("devp2p %s: exit %d, want %d\nstdout: %s\nstderr: %s", cmdline, res.exitCode, code, res.stdout, res.stderr)
	}
	msg := strings.TrimSpace(res.stderr)
	if strings.Count(msg, "\n") != 0 {
		t.Errorf("devp2p %s: error is not one line:\n%s", cmdline, msg)
	}
	if !strings.HasPrefix(msg, "devp2p: ") || strings.Count(msg, "devp2p:") != 1 {
		t.Errorf("devp2p %s: error %q does not have exactly one \"devp2p: \" prefix", cmdline, msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("devp2p %s: error %q does not mention %q", cmdline, msg, want)
	}
	for _, internal := range []string{"Config.", "fileConfig", ".tmp", "No help topic", "devp2p devp2p"} {
		if strings.Contains(msg, internal) {
			t.Errorf("devp2p %s: error %q shows %q, which the user never typed", cmdline, msg, internal)
		}
	}
	return res
}

func TestHelpOnEveryCommand(t *testing.T) {
	var walk func(path []string)
	walk = func(path []string) {
		out := mustRun(t, append(path, "--help")...)
		if !strings.Contains(out, "USAGE") {
			t.Errorf("devp2p %s --help: no usage section:\n%s", strings.Join(path, " "), out)
		}
		for _, sub := range subcommandsOf(out) {
			walk(append(append([]string{}, path...), sub))
		}
	}
	walk(nil)
}

// subcommandsOf lists the commands a help text names under COMMANDS.
func subcommandsOf(help string) []string {
	var subs []string
	in := false
	for line := range strings.Lines(help) {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "COMMANDS:"):
			in = true
		case in && trimmed == "":
			in = false
		case in:
			name := strings.TrimSuffix(strings.Fields(trimmed)[0], ",")
			if name != "help" && name != "h" {
				subs = append(subs, name)
			}
		}
	}
	return subs
}

// TestFlagParseErrors: the flag parser's errors name the flag as typed
// (two dashes) and say what it takes, without the number parser's words.
func TestFlagParseErrors(t *testing.T) {
	mustFail(t, "devp2p: key to-id: unknown flag --nosuchflag", "key", "to-id", "--nosuchflag", "x")
	mustFail(t, "devp2p: unknown flag --bogus", "--bogus")
	mustFail(t, "devp2p: devnet: --nodes needs a value", "devnet", "--nodes")
	mustFail(t, `devp2p: --maxpeers "abc": want an integer`, "node", "--maxpeers", "abc")
	mustFail(t, `devp2p: --status "5": want a duration`, "node", "--status", "5")
	mustFail(t, `devp2p: --seq "-1": want a non-negative integer`, "key", "to-enr", "--seq", "-1", "x")
	mustFail(t, `devp2p: --nodiscover "maybe": want true or false`, "node", "--nodiscover=maybe")
	res := run(t, "node", "--maxpeers", "abc")
	if strings.Contains(res.stderr, "strconv") || strings.Contains(res.stderr, " -maxpeers") {
		t.Errorf("flag error shows parser internals: %s", res.stderr)
	}
}

// TestUnknownCommand: a name that is no command says so, lists the
// commands there are, and exits 2, at every level.
func TestUnknownCommand(t *testing.T) {
	top := "(commands: key, enr, devnet, node, dns, discv4, discv5, nodeset, rlpx, sim;"
	mustFailWith(t, 2, `devp2p: unknown command "bogus" `+top, "bogus")
	mustFailWith(t, 2, `devp2p: unknown command "bogus" `+top, "help", "bogus")
	mustFailWith(t, 2, `devp2p: key: unknown command "bogus" (commands: generate, to-enode, to-enr, to-id;`, "key", "bogus")
	mustFailWith(t, 2, `devp2p: discv4: unknown command "bogus" (commands: ping, requestenr, resolve, crawl`, "discv4", "bogus")
	mustFailWith(t, 2, `devp2p: discv5: unknown command "bogus" (commands: ping, requestenr, resolve, crawl, listen;`, "discv5", "bogus")
	mustFailWith(t, 2, `devp2p: nodeset: unknown command "bogus" (commands: info, filter;`, "nodeset", "bogus")
	mustFailWith(t, 2, `devp2p: dns: unknown command "bogus" (commands: sign, to-txt, to-zone, sync;`, "dns", "bogus")
	// A known command still shows its help.
	if out := mustRun(t, "key"); !strings.Contains(out, "to-enr") {
		t.Errorf("devp2p key: no help:\n%s", out)
	}
}

// TestVersion: --version shows what the toolchain recorded in the binary,
// as 'go version -m' reads it: the module version and, when the build had
// it, the VCS revision.
func TestVersion(t *testing.T) {
	out := mustRun(t, "--version")
	t.Logf("devp2p --version:\n%s", out)
	info, err := exec.Command("go", "version", "-m", binary).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	var modVersion, revision string
	for line := range strings.Lines(string(info)) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 3 && f[0] == "mod" && f[1] == "github.com/devp2p-go/devp2p":
			modVersion = f[2]
		case len(f) >= 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			revision = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if modVersion == "" {
		t.Fatalf("go version -m shows no module version:\n%s", info)
	}
	if !strings.Contains(out, "devp2p   "+modVersion+"\n") {
		t.Errorf("--version does not show module version %s:\n%s", modVersion, out)
	}
	if revision != "" {
		if !strings.Contains(out, "revision "+revision) {
			t.Errorf("--version does not show revision %s:\n%s", revision, out)
		}
	} else if !strings.Contains(out, "revision unknown") {
		t.Errorf("binary has no VCS revision, but --version does not say so:\n%s", out)
	}
	if !strings.Contains(out, runtime.Version()) {
		t.Errorf("--version does not show the Go version %s:\n%s", runtime.Version(), out)
	}
}

// TestLogFormat: --log.format is global and picks text or JSON logs.
func TestLogFormat(t *testing.T) {
	res := run(t, "devnet", "--nodes", "2", "--duration", "100ms", "--verbosity", "3", "--log.format", "json")
	if res.exitCode != 0 {
		t.Fatalf("devnet: exit %d\nstderr: %s", res.exitCode, res.stderr)
	}
	lines := 0
	for line := range strings.Lines(res.stderr) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("--log.format json: log line is not JSON: %q", line)
		}
		if rec["level"] == nil || rec["msg"] == nil || rec["time"] == nil {
			t.Errorf("--log.format json: line without level/msg: %q", line)
		}
		lines++
	}
	if lines == 0 {
		t.Errorf("--log.format json: no log lines at --verbosity 3")
	}
	res = run(t, "--log.format", "text", "devnet", "--nodes", "2", "--duration", "100ms", "--verbosity", "3")
	if !strings.Contains(res.stderr, "level=INFO msg=") {
		t.Errorf("--log.format text: no key=value lines:\n%s", res.stderr)
	}
	mustFail(t, `devp2p: --log.format "xml": want text or json`, "--log.format", "xml", "key", "to-id", "x")
	mustFail(t, `devp2p: --log.format "xml": want text or json`, "node", "--log.format", "xml")
}
