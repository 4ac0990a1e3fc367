package main

import (
	"strings"
	"testing"
)

func TestDevnet(t *testing.T) {
	out := mustRun(t, "devnet", "--nodes", "8", "--duration", "20s", "--until-connected")
	for _, want := range []string{
		"devnet: 8 nodes on 127.0.0.1",
		"every node has peers after",
		"every node has a full table (7) after",
		"result                      every node connected",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "messages delivered          0\n") {
		t.Errorf("no messages delivered:\n%s", out)
	}
}

func TestDevnetBadFlags(t *testing.T) {
	mustFail(t, "devp2p: --nodes 1: want 2-200", "devnet", "--nodes", "1")
	mustFail(t, "devp2p: --duration 0s: want a positive duration", "devnet", "--duration", "0s")
}
