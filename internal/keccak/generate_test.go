package keccak

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesUpToDate regenerates the permutations and compares them
// with the files checked in, so neither drifts from genperm.go.
func TestGeneratedFilesUpToDate(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "genperm.go", "-dir", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run genperm.go: %v\n%s", err, out)
	}
	for _, name := range []string{"permute_generic.go", "permute_amd64.s", "absorb_avx512_amd64.s", "absorb_avx512_consts_amd64.go"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from genperm.go's output; run go generate ./internal/keccak", name)
		}
	}
}
