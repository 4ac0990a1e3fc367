package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example record of EIP-778 (specs/enr.md, "Test Vectors").
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
	mustFail(t, "invalid record", "enr", "decode", "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZX")
	mustFail(t, "neither a record", "enr", "decode", "/no/such/file")
	// A record whose signature does not match is shown, but flagged.
	tampered := []byte(exampleENR)
	tampered[20] ^= 1
	res := run(t, "enr", "decode", string(tampered))
	if res.exitCode == 0 && !strings.Contains(res.stdout, "INVALID") {
		t.Errorf("tampered record not flagged:\n%s", res.stdout)
	}
}
