package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example record of EIP-778 (https://eips.ethereum.org/EIPS/eip-778, "Test Vectors").
const (
	exampleENR = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
	exampleID  = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
)

func TestENRDecode(t *testing.T) {
	out := mustRun(t, "enr", "decode", exampleENR)
	for _, want := range []string{exampleID, "Seq         1", "valid (v4)", "127.0.0.1", "30303", "03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	var rec decodedRecord
	if err := json.Unmarshal([]byte(mustRun(t, "enr", "decode", "--json", exampleENR)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.NodeID != exampleID || !rec.Verified || rec.Seq != 1 || rec.Text != exampleENR {
		t.Errorf("JSON output: %+v", rec)
	}

	// From a file, as text.
	file := filepath.Join(t.TempDir(), "node.enr")
	os.WriteFile(file, []byte(exampleENR+"\n"), 0o644)
	if out := mustRun(t, "enr", "decode", file); !strings.Contains(out, exampleID) {
		t.Errorf("decode from file:\n%s", out)
	}
}

func TestENRDecodeErrors(t *testing.T) {
	mustFail(t, "devp2p: invalid record", "enr", "decode", "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZX")
	mustFail(t, "neither a record", "enr", "decode", "/no/such/file")
	mustFail(t, "devp2p: invalid enode URL", "enr", "decode", "enode://1234@127.0.0.1:30303")
}

// TestENRDecodeSignature: a record whose signature does not verify is
// shown, flagged INVALID, and exits 1; an enode URL, which has no
// signature, is said to be unsigned and exits 0.
func TestENRDecodeSignature(t *testing.T) {
	// Flip a bit inside the signature (the text form's first bytes after
	// the list header).
	tampered := []byte(exampleENR)
	tampered[20] ^= 1
	res := mustFailWith(t, 1, "devp2p: record signature INVALID", "enr", "decode", string(tampered))
	if !strings.Contains(res.stdout, "Signature   INVALID") {
		t.Errorf("tampered record not flagged on stdout:\n%s", res.stdout)
	}
	res = mustFailWith(t, 1, "devp2p: record signature INVALID", "enr", "decode", "--json", string(tampered))
	var rec decodedRecord
	if err := json.Unmarshal([]byte(res.stdout), &rec); err != nil || rec.Verified || rec.Unsigned {
		t.Errorf("tampered record as JSON (%v): %s", err, res.stdout)
	}

	url := "enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@127.0.0.1:30303"
	out := mustRun(t, "enr", "decode", url)
	if !strings.Contains(out, "Signature   none (an enode URL is an unsigned record)") || strings.Contains(out, "INVALID") {
		t.Errorf("enode URL:\n%s", out)
	}
	if !strings.Contains(out, "URLv4       "+url) {
		t.Errorf("enode URL not shown:\n%s", out)
	}
	if !strings.Contains(out, exampleID) {
		t.Errorf("enode URL of the example key does not give its ID %s:\n%s", exampleID, out)
	}
}

// TestENRDecodeTrims: spaces around a pasted record or URL are not part of
// it.
func TestENRDecodeTrims(t *testing.T) {
	out := mustRun(t, "enr", "decode", "  "+exampleENR+" \n")
	if !strings.Contains(out, exampleID) || !strings.Contains(out, "valid (v4)") {
		t.Errorf("record with spaces:\n%s", out)
	}
}
