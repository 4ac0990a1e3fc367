package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

const (
	// devnetRedraw is how often the live table is redrawn on a terminal.
	devnetRedraw = 250 * time.Millisecond
	// devnetPlainInterval is how often a progress line is printed when
	// stdout is not a terminal.
	devnetPlainInterval = time.Second
	// devnetGreetInterval is how often each session of the test protocol
	// sends a message.
	devnetGreetInterval = time.Second
	// devnetFullTable caps what counts as a full discovery table: a
	// lookup returns at most 16 nodes (discover.BucketSize), so in a
	// larger network a node need not know everyone.
	devnetFullTable = 16
)

var devnetCommand = &cli.Command{
	Name:  "devnet",
	Usage: "run a local network of nodes on 127.0.0.1 and watch it form",
	Description: "devnet starts --nodes nodes in this process, all bootstrapped from the first,\n" +
		"with discovery on and a small test protocol that exchanges messages. It shows\n" +
		"peers, table sizes and messages per node, and a summary at the end.",
	Flags: []cli.Flag{
		&cli.IntFlag{Name: "nodes", Value: 8, Usage: "number of nodes (2-200)"},
		&cli.DurationFlag{Name: "duration", Value: 30 * time.Second, Usage: "run this long (Ctrl-C ends earlier)"},
		&cli.BoolFlag{Name: "until-connected", Usage: "end as soon as every node has peers and a full table and messages flow"},
		&cli.IntFlag{Name: "maxpeers", Value: 50, Usage: "maximum peers per node"},
		&cli.IntFlag{Name: "verbosity", Value: 1, Usage: "log level of the nodes (0-5, logs go to stderr)"},
	},
	Action: runDevnet,
}

// devnetNode is one node of the network and its test protocol's counters.
type devnetNode struct {
	srv      *devp2p.Server
	received atomic.Int64
}

// devnetProtocol is the test protocol: each side sends a greeting now and
// then and counts what arrives.
func devnetProtocol(dn *devnetNode) devp2p.Protocol {
	return devp2p.Protocol{
		Name: "devnet", Version: 1, Length: 1,
		Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
			done := make(chan struct{})
			defer close(done)
			go func() {
				t := time.NewTicker(devnetGreetInterval)
				defer t.Stop()
				for n := uint64(0); ; n++ {
					if devp2p.Send(rw, 0, []any{"hello", n}) != nil {
						return
					}
					select {
					case <-t.C:
					case <-done:
						return
					}
				}
			}()
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
				dn.received.Add(1)
			}
		},
	}
}

// devnetStats is one sample of the network.
type devnetStats struct {
	peers, table []int
	received     []int64 // test protocol messages received, per node
	messages     int64   // their sum
}

func runDevnet(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	n := int(cmd.Int("nodes"))
	if n < 2 || n > 200 {
		return flagError("nodes", n, "want 2-200")
	}
	if d := cmd.Duration("duration"); d <= 0 {
		return flagError("duration", d, "want a positive duration")
	}
	maxPeers := int(cmd.Int("maxpeers"))
	if why := checkMaxPeers(maxPeers); why != "" {
		return flagError("maxpeers", maxPeers, why)
	}
	log, err := newLogger(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("duration"))
	defer cancel()

	start := time.Now()
	nodes, err := startDevnet(n, maxPeers, log)
	defer stopDevnet(nodes)
	if err != nil {
		return err
	}
	fmt.Printf("devnet: %d nodes on 127.0.0.1, bootnode %s\n", n, nodes[0].srv.Self().URLv4())
	for i, dn := range nodes {
		fmt.Printf("devnet: node %d %s\n", i, dn.srv.Self().URLv4())
	}

	want := min(n-1, devnetFullTable)
	var (
		allPeers, allTables time.Duration // 0 = not yet
		out                 = newDevnetView(os.Stdout, nodes)
		tick                = time.NewTicker(out.interval())
		last                devnetStats
	)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		last = sample(nodes)
		elapsed := time.Since(start)
		if allPeers == 0 && minOf(last.peers) > 0 {
			allPeers = elapsed
			out.event(fmt.Sprintf("every node has peers after %v", allPeers.Round(time.Millisecond)))
		}
		if allTables == 0 && minOf(last.table) >= want {
			allTables = elapsed
			out.event(fmt.Sprintf("every node has a full table (%d) after %v", want, allTables.Round(time.Millisecond)))
		}
		out.show(elapsed, last, want)
		if cmd.Bool("until-connected") && allPeers > 0 && allTables > 0 && last.messages > 0 {
			break
		}
	}
	last = sample(nodes)
	out.done(time.Since(start), last, want)

	fmt.Println()
	fmt.Println("summary")
	fmt.Printf("  nodes                       %d\n", n)
	fmt.Printf("  ran for                     %v\n", time.Since(start).Round(time.Millisecond))
	fmt.Printf("  every node had peers        %s\n", milestone(allPeers))
	fmt.Printf("  every node had a full table %s\n", milestone(allTables))
	fmt.Printf("  peers per node              min %d, max %d\n", minOf(last.peers), maxOf(last.peers))
	fmt.Printf("  messages delivered          %d\n", last.messages)
	if allPeers > 0 && allTables > 0 {
		fmt.Println("  result                      every node connected")
	} else {
		fmt.Println("  result                      network incomplete")
	}
	return nil
}

func milestone(d time.Duration) string {
	if d == 0 {
		return "never"
	}
	return "after " + d.Round(time.Millisecond).String()
}

// startDevnet starts n servers on loopback, all bootstrapped from the
// first. On error the servers started so far are returned for stopping.
func startDevnet(n, maxPeers int, log *slog.Logger) ([]*devnetNode, error) {
	nodes := make([]*devnetNode, 0, n)
	var boot []*enode.Node
	for i := range n {
		key, err := crypto.GenerateKey()
		if err != nil {
			return nodes, err
		}
		dn := new(devnetNode)
		dn.srv = &devp2p.Server{Config: devp2p.Config{
			PrivateKey:     key,
			MaxPeers:       maxPeers,
			Name:           fmt.Sprintf("devnet-%d", i),
			ListenAddr:     "127.0.0.1:0",
			BootstrapNodes: boot,
			Protocols:      []devp2p.Protocol{devnetProtocol(dn)},
			Logger:         log.With("node", i),
		}}
		if err := dn.srv.Start(); err != nil {
			return nodes, fmt.Errorf("start node %d: %v", i, err)
		}
		nodes = append(nodes, dn)
		if i == 0 {
			boot = []*enode.Node{dn.srv.Self()}
		}
	}
	return nodes, nil
}

// stopDevnet stops all servers at once (each Stop waits for its peers).
func stopDevnet(nodes []*devnetNode) {
	var wg sync.WaitGroup
	for _, dn := range nodes {
		wg.Go(dn.srv.Stop)
	}
	wg.Wait()
}

func sample(nodes []*devnetNode) devnetStats {
	s := devnetStats{peers: make([]int, len(nodes)), table: make([]int, len(nodes)), received: make([]int64, len(nodes))}
	for i, dn := range nodes {
		s.peers[i] = dn.srv.PeerCount()
		s.table[i] = max(tableLen(dn.srv), 0)
		s.received[i] = dn.received.Load()
		s.messages += s.received[i]
	}
	return s
}

func minOf(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = min(m, x)
	}
	return m
}

func maxOf(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// devnetView prints the network's state: a table redrawn in place on a
// terminal, progress lines otherwise.
type devnetView struct {
	w        io.Writer
	n        int
	ids      []string // short node IDs, for the table
	terminal bool
	drawn    int // lines of the last table drawn (terminal)
	events   []string
}

func newDevnetView(w *os.File, nodes []*devnetNode) *devnetView {
	fi, err := w.Stat()
	v := &devnetView{w: w, n: len(nodes), terminal: err == nil && fi.Mode()&os.ModeCharDevice != 0}
	for _, dn := range nodes {
		v.ids = append(v.ids, dn.srv.Self().ID().TerminalString())
	}
	return v
}

func (v *devnetView) interval() time.Duration {
	if v.terminal {
		return devnetRedraw
	}
	return devnetPlainInterval
}

// event reports a milestone. On a terminal it is shown under the table.
func (v *devnetView) event(s string) {
	if v.terminal {
		v.events = append(v.events, s)
		return
	}
	fmt.Fprintf(v.w, "devnet: %s\n", s)
}

func (v *devnetView) show(elapsed time.Duration, s devnetStats, want int) {
	if !v.terminal {
		withPeers, full := 0, 0
		for i := range s.peers {
			if s.peers[i] > 0 {
				withPeers++
			}
			if s.table[i] >= want {
				full++
			}
		}
		fmt.Fprintf(v.w, "%6.1fs  nodes with peers %d/%d  full tables %d/%d  peers min %d max %d  messages %d\n",
			elapsed.Seconds(), withPeers, v.n, full, v.n, minOf(s.peers), maxOf(s.peers), s.messages)
		return
	}
	var b strings.Builder
	if v.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", v.drawn) // back to the table's first line
	}
	lines := 0
	line := func(format string, args ...any) {
		b.WriteString("\x1b[2K")
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
		lines++
	}
	line("%-9s %-18s %6s %6s %9s", "node", "id", "peers", "table", "messages")
	for i := range s.peers {
		mark := ""
		if s.table[i] >= want && s.peers[i] > 0 {
			mark = "  ✓"
		}
		line("devnet-%-2d %-18s %6d %6d %9d%s", i, v.ids[i], s.peers[i], s.table[i], s.received[i], mark)
	}
	line("%.1fs, %d messages delivered", elapsed.Seconds(), s.messages)
	for _, e := range v.events {
		line("%s", e)
	}
	v.drawn = lines
	io.WriteString(v.w, b.String())
}

func (v *devnetView) done(elapsed time.Duration, s devnetStats, want int) {
	if v.terminal {
		v.show(elapsed, s, want)
	}
}
