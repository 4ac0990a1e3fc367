package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	build := exec.Command("go", "build", "-o", binary, ".")
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

// mustFail runs the binary, expects a non-zero exit with a one-line reason
// on stderr that contains want.
func mustFail(t *testing.T, want string, args ...string) {
	t.Helper()
	res := run(t, args...)
	if res.exitCode == 0 {
		t.Fatalf("devp2p %s: exit 0, want failure\nstdout: %s", strings.Join(args, " "), res.stdout)
	}
	msg := strings.TrimSpace(res.stderr)
	if strings.Count(msg, "\n") != 0 {
		t.Errorf("devp2p %s: error is not one line:\n%s", strings.Join(args, " "), msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("devp2p %s: error %q does not mention %q", strings.Join(args, " "), msg, want)
	}
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

func TestUnknownCommandAndFlag(t *testing.T) {
	mustFail(t, "flag provided but not defined", "key", "to-id", "--nosuchflag", "x")
}
