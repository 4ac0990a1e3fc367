package enode

import (
	"testing"
)

// FuzzParseURL feeds arbitrary strings to Parse (enode:// URLs and enr:
// texts). Accepted inputs give nodes whose string form parses back to the
// same node.
func FuzzParseURL(f *testing.F) {
	for _, v := range loadVectors(f, "enode-url.json") {
		if s, ok := v.Inputs["url"].(string); ok {
			f.Add(s)
		}
	}
	for _, v := range loadVectors(f, "enr.json") {
		if s, ok := v.Inputs["text"].(string); ok {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, input string) {
		n, err := Parse(ValidSchemes, input)
		if err != nil {
			return
		}
		back, err := Parse(ValidSchemes, n.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", n.String(), input, err)
		}
		if back.ID() != n.ID() || back.Seq() != n.Seq() || back.IPAddr() != n.IPAddr() ||
			back.TCP() != n.TCP() || back.UDP() != n.UDP() || back.Hostname() != n.Hostname() {
			t.Fatalf("round trip of %q changed the node: %q -> %q", input, n.String(), back.String())
		}
		if n.Pubkey() != nil && PubkeyToIDV4(n.Pubkey()) != n.ID() {
			t.Fatal("ID does not match the public key")
		}
		n.ValidateComplete()
		n.URLv4()
	})
}
