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
	mustFail(t, "load key", "key", "to-id", bad)
	mustFail(t, "missing argument", "key", "to-id")
	mustFail(t, "no such file", "key", "to-id", filepath.Join(dir, "absent"))
	good := filepath.Join(dir, "good.key")
	mustRun(t, "key", "generate", good)
	mustFail(t, "invalid --ip", "key", "to-enode", good, "--ip", "300.1.1.1")
	mustFail(t, "invalid --tcp", "key", "to-enode", good, "--tcp", "70000")
}
