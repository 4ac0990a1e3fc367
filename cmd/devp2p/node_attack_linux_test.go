//go:build linux

package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/rlpx"
)

// TestNodeDecompressionAttackRSS runs the decompression-amplification attack
// against a real node process: 30 peers each send frames of about 800 KiB
// that decode to almost 16 MiB, with base-protocol, reserved and unknown
// message codes. The node must drop them without decompressing, keep its
// peak resident memory (VmHWM) at most 200 MB, and answer a new peer
// afterwards.
func TestNodeDecompressionAttackRSS(t *testing.T) {
	const (
		attackers = 30
		maxRSS    = 200 << 20
	)
	node := start(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--nodiscover",
		"--maxpeers", "50", "--status", "0", "--verbosity", "0")
	url := node.waitLine("enode")
	target, err := enode.ParseV4(url)
	if err != nil {
		t.Fatal(err)
	}
	addr := &net.TCPAddr{IP: target.IP(), Port: target.TCP()}
	bomb := snappy.Encode(nil, make([]byte, rlpx.MaxMessageSize-1))

	var wg sync.WaitGroup
	errs := make(chan error, attackers)
	for i := range attackers {
		codes := []uint64{0x02, 0x03, 0x04 + uint64(i%12), 0x10, 0x11 + uint64(i)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- attack(addr, target, codes[i%len(codes)], bomb)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	// Still serving.
	if out := mustRun(t, "rlpx", "ping", url); !strings.Contains(out, "devp2p-go") {
		t.Errorf("rlpx ping after the attack:\n%s", out)
	}
	rss, err := peakRSS(node.cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("node peak RSS %d MiB after %d attackers", rss>>20, attackers)
	if rss > maxRSS {
		t.Fatalf("node peak RSS %d MiB, want at most %d", rss>>20, maxRSS>>20)
	}
	node.interrupt()
}

// attack connects as a peer with no capabilities, sends the bomb with code
// up to three times and checks that the node disconnects it for breaking
// the protocol.
func attack(addr *net.TCPAddr, target *enode.Node, code uint64, bomb []byte) error {
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	fd, err := net.DialTCP("tcp", nil, addr)
	if err != nil {
		return err
	}
	defer fd.Close()
	fd.SetDeadline(time.Now().Add(procWait))
	c := rlpx.NewConn(fd, target.Pubkey())
	if _, err := c.Handshake(key); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	hello, _ := rlp.EncodeToBytes([]any{uint(5), "attacker", []any{}, uint(0), crypto.FromECDSAPub(&key.PublicKey)[1:]})
	if _, err := c.Write(0x00, hello); err != nil {
		return fmt.Errorf("write hello: %w", err)
	}
	if code, _, _, err := c.Read(); err != nil || code != 0x00 {
		return fmt.Errorf("read hello: code %d, %v", code, err)
	}
	// The bomb is compressed already: it goes out as is, snappy staying
	// off on our side, and the node reads it as a snappy block. So the
	// node's messages arrive compressed: the Disconnect is decoded here.
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		for range 3 {
			if _, err := c.Write(code, bomb); err != nil {
				return
			}
		}
	}()
	defer func() { fd.Close(); <-wdone }()
	for {
		got, data, _, err := c.Read()
		if err != nil {
			return fmt.Errorf("attacker with code %#x: connection ended without a Disconnect: %v", code, err)
		}
		if got == 0x01 {
			var reason []uint
			plain, err := snappy.Decode(nil, data)
			if err == nil {
				err = rlp.DecodeBytes(plain, &reason)
			}
			if err != nil || len(reason) != 1 || reason[0] != 0x02 {
				return fmt.Errorf("attacker with code %#x: disconnect %x (%v), want breach of protocol", code, data, err)
			}
			return nil
		}
	}
}

// peakRSS returns the peak resident set size of a process (VmHWM).
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
