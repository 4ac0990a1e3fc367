package main

import (
	"encoding/json"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// writeTestNodeSet writes n signed nodes as DIR/nodes.json in the node set
// format (node ID → entry with "record") and returns their IDs.
func writeTestNodeSet(t *testing.T, dir string, n int) []string {
	t.Helper()
	set := make(map[string]map[string]any)
	var ids []string
	for i := range n {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		var r enr.Record
		r.Set(enr.IPv4(netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})))
		r.Set(enr.TCP(30303))
		r.Set(enr.UDP(30303))
		if err := enode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		node, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		text, _ := node.Record().Text()
		set[node.ID().String()] = map[string]any{"seq": node.Seq(), "record": text, "score": 3, "firstResponse": "2026-01-01T00:00:00Z", "lastResponse": "2026-01-02T00:00:00Z", "lastCheck": "2026-01-02T00:00:00Z"}
		ids = append(ids, node.ID().String())
	}
	data, _ := json.Marshal(set)
	if err := os.WriteFile(filepath.Join(dir, "nodes.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return ids
}

// serveTXT serves records (name → text) from a DNS server on 127.0.0.1 over
// UDP, long texts split into 255-byte strings, and returns its address.
func serveTXT(t *testing.T, records map[string]string) string {
	t.Helper()
	lower := make(map[string]string, len(records))
	for name, txt := range records {
		lower[strings.ToLower(name)] = txt
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		resp := new(dns.Msg)
		resp.SetReply(req)
		q := req.Question[0]
		txt, ok := lower[strings.TrimSuffix(strings.ToLower(q.Name), ".")]
		if !ok {
			resp.Rcode = dns.RcodeNameError
		} else {
			var parts []string
			for len(txt) > 255 {
				parts, txt = append(parts, txt[:255]), txt[255:]
			}
			resp.Answer = append(resp.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: append(parts, txt),
			})
		}
		w.WriteMsg(resp)
	})
	srv := &dns.Server{PacketConn: pc, Handler: handler}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	errc := make(chan error, 1)
	go func() { errc <- srv.ActivateAndServe() }()
	t.Cleanup(func() {
		srv.Shutdown()
		<-errc
	})
	<-started
	return pc.LocalAddr().String()
}

func TestDNSSignPublishSync(t *testing.T) {
	dir := t.TempDir()
	ids := writeTestNodeSet(t, dir, 20)
	keyfile := filepath.Join(dir, "key")
	mustRun(t, "key", "generate", keyfile)

	out := mustRun(t, "dns", "sign", dir, keyfile, "--domain", "nodes.example.org")
	url := strings.TrimSpace(out[strings.Index(out, "enrtree://"):])
	if !strings.Contains(out, "signed 20 nodes, 0 links, seq 1") {
		t.Fatalf("sign printed %q", out)
	}

	// Signing again raises the sequence number.
	out = mustRun(t, "dns", "sign", dir, keyfile)
	if !strings.Contains(out, "seq 2") || !strings.Contains(out, url) {
		t.Fatalf("second sign printed %q", out)
	}

	var records map[string]string
	if err := json.Unmarshal([]byte(mustRun(t, "dns", "to-txt", dir)), &records); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(records["nodes.example.org"], "enrtree-root:v1 ") || !strings.Contains(records["nodes.example.org"], "seq=2") {
		t.Fatalf("root record %q", records["nodes.example.org"])
	}
	txtFile := filepath.Join(dir, "txt.json")
	mustRun(t, "dns", "to-txt", dir, txtFile)
	if data, err := os.ReadFile(txtFile); err != nil || !strings.Contains(string(data), "enrtree-branch:") {
		t.Fatalf("to-txt FILE: %v %s", err, data)
	}

	zone := mustRun(t, "dns", "to-zone", dir)
	if !strings.HasPrefix(zone, "$ORIGIN nodes.example.org.\n@ 60 IN TXT \"enrtree-root:v1 ") {
		t.Fatalf("zone starts %q", zone[:min(len(zone), 80)])
	}
	if n := strings.Count(zone, " IN TXT "); n != len(records) {
		t.Fatalf("zone has %d records, want %d", n, len(records))
	}
	// The zone parses as one (miekg/dns reads master files).
	zp := dns.NewZoneParser(strings.NewReader(zone), "", "")
	parsed := 0
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		txt := rr.(*dns.TXT)
		name := strings.TrimSuffix(txt.Hdr.Name, ".")
		if strings.Join(txt.Txt, "") != records[name] {
			t.Fatalf("zone record %s differs", name)
		}
		parsed++
	}
	if err := zp.Err(); err != nil || parsed != len(records) {
		t.Fatalf("zone parse: %v, %d records", err, parsed)
	}

	// Served from DNS, the tree syncs back to the same node set and records.
	server := serveTXT(t, records)
	syncDir := filepath.Join(t.TempDir(), "synced")
	out = mustRun(t, "dns", "sync", url, syncDir, "--dns.server", server)
	if !strings.Contains(out, "seq 2, 20 nodes, 0 links") {
		t.Fatalf("sync printed %q", out)
	}
	var synced map[string]struct{ Record string }
	data, err := os.ReadFile(filepath.Join(syncDir, "nodes.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &synced); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if synced[id].Record == "" {
			t.Fatalf("node %s missing after sync", id)
		}
	}
	if again := mustRun(t, "dns", "to-txt", syncDir); again != mustRun(t, "dns", "to-txt", dir) {
		t.Fatal("synced tree publishes other records")
	}
}

func TestDNSErrors(t *testing.T) {
	dir := t.TempDir()
	writeTestNodeSet(t, dir, 2)
	keyfile := filepath.Join(dir, "key")
	mustRun(t, "key", "generate", keyfile)

	mustFail(t, "--domain is required", "dns", "sign", dir, keyfile)
	mustFail(t, "want arguments DIR KEYFILE", "dns", "sign", dir)
	mustFail(t, "enrtree-info.json", "dns", "to-txt", dir)
	mustFail(t, "invalid domain", "dns", "sign", dir, keyfile, "--domain", "bad domain")

	mustRun(t, "dns", "sign", dir, keyfile, "--domain", "n.example.org")
	writeTestNodeSet(t, dir, 3) // changed after signing
	mustFail(t, "signature does not match", "dns", "to-txt", dir)
	mustFail(t, "signature does not match", "dns", "to-zone", dir)

	mustFail(t, "invalid", "dns", "sync", "enrtree://nope@x")
	mustFail(t, "want HOST:PORT", "dns", "sync", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n.example.org", "--dns.server", "localhost")
	server := serveTXT(t, map[string]string{})
	mustFail(t, "no such host", "dns", "sync", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n.example.org", "--dns.server", server)
}
