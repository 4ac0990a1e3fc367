package enr_test

import (
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// The private key of the example record in EIP-778.
const exampleKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

// Building and signing a record. The "v4" identity scheme lives in package
// enode, which has the secp256k1 code; signing with the EIP-778 example key
// gives the EIP's example record byte for byte (signatures are
// deterministic).
func ExampleRecord() {
	key, err := crypto.HexToECDSA(exampleKey)
	if err != nil {
		panic(err)
	}
	var r enr.Record
	r.SetSeq(1)
	r.Set(enr.IPv4(netip.MustParseAddr("127.0.0.1")))
	r.Set(enr.UDP(30303))
	if err := enode.SignV4(&r, key); err != nil { // sets "id", "secp256k1" and the signature
		panic(err)
	}
	text, err := r.Text()
	if err != nil {
		panic(err)
	}
	fmt.Println(text)
	fmt.Println(r.Size(), "bytes, at most", enr.SizeLimit)
	// Output:
	// enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8
	// 134 bytes, at most 300
}

// Parsing a record's text form checks its structure and its signature;
// Load reads one entry.
func ExampleParseText() {
	const text = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
	r, err := enr.ParseText(text, enode.ValidSchemes)
	if err != nil {
		panic(err)
	}
	var (
		ip  enr.IPv4
		udp enr.UDP
		tcp enr.TCP
	)
	if err := r.Load(&ip); err != nil {
		panic(err)
	}
	if err := r.Load(&udp); err != nil {
		panic(err)
	}
	fmt.Println("seq", r.Seq(), "scheme", r.IdentityScheme())
	fmt.Println("ip", netip.Addr(ip), "udp", udp)
	fmt.Println("tcp missing:", enr.IsNotFound(r.Load(&tcp)))

	// Any change to the text breaks the signature.
	tampered := text[:len(text)-1] + "A"
	_, err = enr.ParseText(tampered, enode.ValidSchemes)
	fmt.Println("tampered record rejected:", err != nil)
	// Output:
	// seq 1 scheme v4
	// ip 127.0.0.1 udp 30303
	// tcp missing: true
	// tampered record rejected: true
}
