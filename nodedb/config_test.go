package nodedb

import (
	"testing"

	"github.com/devp2p-go/devp2p/mclock"
)

// TestExpirerRunsOnClock: the background expirer is driven by the injected
// clock: its passes on a simulated clock remove a node once it was unseen
// for more than a day, and keep one seen recently.
func TestExpirerRunsOnClock(t *testing.T) {
	clock := new(mclock.Simulated)
	db := openMem(t, Config{Clock: clock})
	old := newNode(t, newKey(t), ip4, 30303, 1)
	if err := db.UpdateNode(old); err != nil {
		t.Fatal(err)
	}
	// pass runs the clock to the next expiry pass and waits until the
	// expirer has finished it and armed its timer again.
	pass := func() {
		clock.WaitForTimers(1)
		clock.Run(expiryInterval)
		clock.WaitForTimers(1)
	}
	for range nodeExpiration / expiryInterval {
		pass()
	}
	if db.Node(old.ID()) == nil {
		t.Fatal("node expired before a day passed")
	}
	fresh := newNode(t, newKey(t), ip6, 30303, 1)
	if err := db.UpdateNode(fresh); err != nil {
		t.Fatal(err)
	}
	pass()
	if db.Node(old.ID()) != nil {
		t.Error("node unseen for a day still present after an expiry interval")
	}
	if db.Node(fresh.ID()) == nil {
		t.Error("recently seen node expired")
	}
}

// TestConfigValidate: a path with white space around it is refused (a
// config-file typo); a zero Config opens an in-memory database.
func TestConfigValidate(t *testing.T) {
	for _, path := range []string{" nodes", "nodes\n", "\t"} {
		if db, err := Open(Config{Path: path}); err == nil {
			db.Close()
			t.Errorf("Open(%q) accepted", path)
		}
	}
	db, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.path != "" {
		t.Errorf("zero Config: path %q, want in memory", db.path)
	}
}
