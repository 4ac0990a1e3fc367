package nat

import (
	"net"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/nat/nattest"
	"github.com/pion/stun/v3"
)

func TestSTUN(t *testing.T) {
	s, err := nattest.StartSTUN(net.ParseIP("5.6.7.8"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := Parse("stun:" + s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ip, err := n.ExternalIP()
	if err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
		t.Fatalf("ExternalIP = %v, %v", ip, err)
	}
	if p, err := n.AddMapping("udp", 30303, 30303, "x", time.Minute); p != 30303 || err != nil {
		t.Fatalf("AddMapping = %d, %v; STUN maps nothing and reports the port", p, err)
	}
}

func TestParseBindingResponse(t *testing.T) {
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest)
	ok := stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: net.ParseIP("5.6.7.8"), Port: 1}, stun.Fingerprint)
	if ip, err := parseBindingResponse(ok.Raw, req.TransactionID); err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
		t.Fatalf("got %v, %v", ip, err)
	}
	other := stun.MustBuild(stun.TransactionID, stun.BindingSuccess, &stun.XORMappedAddress{IP: net.ParseIP("9.9.9.9"), Port: 1})
	if _, err := parseBindingResponse(other.Raw, req.TransactionID); err != errNotOurs {
		t.Fatalf("foreign transaction: %v", err)
	}
	if _, err := parseBindingResponse([]byte("garbage"), req.TransactionID); err != errNotOurs {
		t.Fatalf("garbage: %v", err)
	}
	empty := stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingSuccess)
	if _, err := parseBindingResponse(empty.Raw, req.TransactionID); err == nil {
		t.Fatal("no error for an answer without an address")
	}
	fail := stun.MustBuild(stun.NewTransactionIDSetter(req.TransactionID), stun.BindingError, stun.CodeBadRequest)
	if _, err := parseBindingResponse(fail.Raw, req.TransactionID); err == nil {
		t.Fatal("no error for an error answer")
	}
}

// FuzzParseBindingResponse: STUN answers come from the network.
func FuzzParseBindingResponse(f *testing.F) {
	var tid [stun.TransactionIDSize]byte
	f.Add(stun.MustBuild(stun.NewTransactionIDSetter(tid), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: net.ParseIP("5.6.7.8"), Port: 1}, stun.Fingerprint).Raw)
	f.Add(stun.MustBuild(stun.NewTransactionIDSetter(tid), stun.BindingSuccess,
		&stun.MappedAddress{IP: net.ParseIP("2001:db8::1"), Port: 1}).Raw)
	f.Fuzz(func(t *testing.T, b []byte) {
		parseBindingResponse(b, tid)
	})
}

func BenchmarkParseBindingResponse(b *testing.B) {
	var tid [stun.TransactionIDSize]byte
	raw := stun.MustBuild(stun.NewTransactionIDSetter(tid), stun.BindingSuccess,
		&stun.XORMappedAddress{IP: net.ParseIP("5.6.7.8"), Port: 1}, stun.Fingerprint).Raw
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBindingResponse(raw, tid); err != nil {
			b.Fatal(err)
		}
	}
}
