package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestKeyCommands(t *testing.T) {
	dir := t.TempDir()
	keyfile := filepath.Join(dir, "node.key")

	id := strings.TrimSpace(mustRun(t, "key", "generate", keyfile))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(id) {
		t.Fatalf("key generate printed %q, want a node ID", id)
	}
	data, err := os.ReadFile(keyfile)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}\n?$`).Match(data) {
		t.Fatalf("key file holds %q, want 64 hex characters", data)
	}
	info, _ := os.Stat(keyfile)
	if info.Mode().Perm()&0o077 != 0 {
		t.Errorf("key file mode %v is readable by others", info.Mode().Perm())
	}
	mustFail(t, "already exists", "key", "generate", keyfile)

	if got := strings.TrimSpace(mustRun(t, "key", "to-id", keyfile)); got != id {
		t.Errorf("key to-id = %s, want %s", got, id)
	}
	url := strings.TrimSpace(mustRun(t, "key", "to-enode", keyfile, "--ip", "10.0.0.1", "--tcp", "30303", "--udp", "30301"))
	want := regexp.MustCompile(`^enode://[0-9a-f]{128}@10\.0\.0\.1:30303\?discport=30301$`)
	if !want.MatchString(url) {
		t.Errorf("key to-enode = %q", url)
	}
	// The URL's node ID is the key's.
	out := mustRun(t, "enr", "decode", url)
	if !strings.Contains(out, id) {
		t.Errorf("enr decode of %s does not show ID %s:\n%s", url, id, out)
	}
}

func TestKeyErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key\n"), 0o600)
	mustFail(t, "devp2p: invalid node key file "+bad, "key", "to-id", bad)
	mustFail(t, "devp2p: key to-id: missing argument FILE", "key", "to-id")
	mustFail(t, "devp2p: key file "+filepath.Join(dir, "absent")+": no such file", "key", "to-id", filepath.Join(dir, "absent"))
	good := filepath.Join(dir, "good.key")
	mustRun(t, "key", "generate", good)
	mustFail(t, `devp2p: --ip "300.1.1.1": not an IP address`, "key", "to-enode", good, "--ip", "300.1.1.1")
	mustFail(t, "devp2p: --tcp 70000: want a port 0-65535", "key", "to-enode", good, "--tcp", "70000")
	mustFail(t, "devp2p: --udp -1: want a port 0-65535", "key", "to-enr", good, "--udp", "-1")
}

// TestKeyToENR: key to-enr makes a record signed by the key, with the
// address given, that enr decode accepts as valid.
func TestKeyToENR(t *testing.T) {
	keyfile := filepath.Join(t.TempDir(), "node.key")
	id := strings.TrimSpace(mustRun(t, "key", "generate", keyfile))

	rec := strings.TrimSpace(mustRun(t, "key", "to-enr", keyfile, "--ip", "10.0.0.1", "--tcp", "30303", "--udp", "30301", "--seq", "7"))
	if !strings.HasPrefix(rec, "enr:") || strings.Contains(rec, "\n") {
		t.Fatalf("key to-enr printed %q, want one enr: line", rec)
	}
	out := mustRun(t, "enr", "decode", rec)
	for _, want := range []string{"Node ID     " + id, "Seq         7", "valid (v4)", "ip         10.0.0.1", "tcp        30303", "udp        30301"} {
		if !strings.Contains(out, want) {
			t.Errorf("decoded record lacks %q:\n%s", want, out)
		}
	}

	// IPv6 goes into ip6; a port of 0 leaves its key out.
	rec = strings.TrimSpace(mustRun(t, "key", "to-enr", keyfile, "--ip", "2001:db8::1", "--tcp", "0", "--udp", "30303"))
	out = mustRun(t, "enr", "decode", rec)
	if !strings.Contains(out, "ip6        2001:db8::1") || !strings.Contains(out, "udp        30303") {
		t.Errorf("IPv6 record:\n%s", out)
	}
	if strings.Contains(out, "  ip         ") || strings.Contains(out, "  tcp        ") {
		t.Errorf("IPv6 record without TCP has an ip or tcp entry:\n%s", out)
	}
}
