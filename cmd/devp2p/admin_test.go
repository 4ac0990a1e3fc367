package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNodeAdminAPI: `devp2p node --rpc.addr` serves the admin API over
// HTTP, and the unix socket in the data directory is on by default, private
// to the user, and gone after a clean stop.
func TestNodeAdminAPI(t *testing.T) {
	datadir, err := os.MkdirTemp("", "adm") // short: a socket path has at most 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(datadir)
	node := start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--nodiscover", "--verbosity", "0", "--rpc.addr", "127.0.0.1:0")
	id := node.waitLine("node")
	rpc := node.waitLine("rpc")
	ipc := node.waitLine("ipc")
	url := strings.Fields(rpc)[0]

	resp, err := http.Post(url, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"admin_nodeInfo"}`))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Result struct{ ID string }
	}
	json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if res.Result.ID != id {
		t.Errorf("admin_nodeInfo over HTTP: id %q, want %s", res.Result.ID, id)
	}

	if ipc != filepath.Join(datadir, "devp2p.ipc") {
		t.Errorf("ipc at %s", ipc)
	}
	if fi, err := os.Stat(ipc); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket: %v %v", fi, err)
	}
	c, err := net.Dial("unix", ipc)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(procWait))
	c.Write([]byte(`{"jsonrpc":"2.0","id":2,"method":"admin_peers"}`))
	var peers struct {
		Result []any
		Error  any
	}
	if err := json.NewDecoder(c).Decode(&peers); err != nil || peers.Result == nil || peers.Error != nil {
		t.Errorf("admin_peers over IPC: %+v, %v", peers, err)
	}
	c.Close()
	node.interrupt()
	if _, err := os.Stat(ipc); !os.IsNotExist(err) {
		t.Errorf("socket left after stop: %v", err)
	}

	// --ipc=false: no socket; a config file can turn the HTTP side on.
	cfg := filepath.Join(datadir, "node.toml")
	os.WriteFile(cfg, []byte("RPCAddr = \"127.0.0.1:0\"\nIPC = false\n"), 0o600)
	node = start(t, "node", "--config", cfg, "--datadir", datadir, "--listen", "127.0.0.1:0", "--nodiscover", "--verbosity", "0")
	node.waitLine("node")
	if rpc := node.waitLine("rpc"); !strings.HasPrefix(rpc, "http://127.0.0.1:") {
		t.Errorf("rpc line %q", rpc)
	}
	node.interrupt()
	if _, err := os.Stat(ipc); !os.IsNotExist(err) {
		t.Errorf("socket with IPC = false: %v", err)
	}
}

// TestNodeAdminFlags: what would expose the admin API is refused with a
// one-line reason before the node runs.
func TestNodeAdminFlags(t *testing.T) {
	dir, err := os.MkdirTemp("", "adm")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	base := []string{"node", "--datadir", dir, "--listen", "127.0.0.1:0", "--nodiscover"}
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte("0123456789abcdef0123\n"), 0o600)
	short := filepath.Join(dir, "short")
	os.WriteFile(short, []byte("abc\n"), 0o600)

	mustFail(t, `--rpc.addr "0.0.0.0:0": not a loopback address`, append(base, "--rpc.addr", "0.0.0.0:0")...)
	mustFail(t, "--rpc.allow-remote needs --rpc.secret", append(base, "--rpc.addr", "0.0.0.0:0", "--rpc.allow-remote")...)
	mustFail(t, "want at least 16", append(base, "--rpc.addr", "127.0.0.1:0", "--rpc.secret", short)...)
	mustFail(t, "--rpc.secret", append(base, "--rpc.addr", "127.0.0.1:0", "--rpc.secret", filepath.Join(dir, "absent"))...)
	mustFail(t, `--rpc.addr "nohost"`, append(base, "--rpc.addr", "nohost")...)
	long := filepath.Join(dir, strings.Repeat("d", 110))
	mustFail(t, "--ipc=false", "node", "--datadir", long, "--listen", "127.0.0.1:0", "--nodiscover")

	// With both, a remote address is served.
	node := start(t, append(base, "--rpc.addr", "0.0.0.0:0", "--rpc.allow-remote", "--rpc.secret", secret, "--verbosity", "0")...)
	node.waitLine("node")
	rpc := node.waitLine("rpc")
	url := strings.Replace(strings.Fields(rpc)[0], "0.0.0.0", "127.0.0.1", 1)
	for token, want := range map[string]int{"": 401, "0123456789abcdef0123": 200} {
		req, _ := http.NewRequest("POST", url, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"rpc_modules"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("token %q: status %d, want %d", token, resp.StatusCode, want)
		}
	}
	node.interrupt()
}
