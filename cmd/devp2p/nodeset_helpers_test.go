package main

import (
	"crypto/ecdsa"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// testRecord is a signed record with the given IP (v4 or v6), UDP port,
// sequence number and extra keys (each with an empty list as value, as
// "snap" has).
func testRecord(t *testing.T, ip string, seq uint64, keys ...string) *enode.Node {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return signedTestRecord(t, key, ip, seq, keys...)
}

// signedTestRecord is testRecord with a given key.
func signedTestRecord(t *testing.T, key *ecdsa.PrivateKey, ip string, seq uint64, keys ...string) *enode.Node {
	t.Helper()
	var r enr.Record
	r.SetSeq(seq)
	if addr := netip.MustParseAddr(ip); addr.Is4() {
		r.Set(enr.IPv4(addr))
	} else {
		r.Set(enr.IPv6(addr))
	}
	r.Set(enr.UDP(30303))
	for _, k := range keys {
		r.Set(enr.Generic{Key: k, Value: []uint{}})
	}
	if err := enode.SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	n, err := enode.New(enode.ValidSchemes, &r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// writeTestSet writes set to a file in a fresh directory.
func writeTestSet(t *testing.T, set nodeSet) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "nodes.json")
	if err := set.write(file); err != nil {
		t.Fatal(err)
	}
	return file
}

// readTestSet reads a node-set file the way the commands do.
func readTestSet(t *testing.T, file string) nodeSet {
	t.Helper()
	set, err := loadNodeSet(file)
	if err != nil {
		data, _ := os.ReadFile(file)
		t.Fatalf("%v\n%s", err, data)
	}
	return set
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}
