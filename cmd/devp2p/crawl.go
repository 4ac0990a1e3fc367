package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
)

const (
	// crawlProgressInterval is how often the crawler prints a progress line.
	crawlProgressInterval = 5 * time.Second
	// crawlQuietLookups ends a crawl early: that many random lookups in a
	// row found no node we did not know. Each lookup asks the 16 closest
	// nodes of a random target, so in a small network a handful of them
	// cover it all; 20 quiet ones leave little unseen.
	crawlQuietLookups = 20
	// crawlWorkers is how many lookups and ENR requests run at once.
	crawlWorkers = 8
	// crawlDropScore removes a node from the set once it failed this many
	// more checks than it passed.
	crawlDropScore = -5
	// crawlCheckTries is how many ENR requests a node gets before it
	// counts as not answering.
	crawlCheckTries = 3
	// crawlMaxQueue bounds the nodes waiting for their ENR request.
	crawlMaxQueue = 1 << 16
	// maxNodesFile bounds the node set file read back for a re-crawl.
	maxNodesFile = 256 << 20
)

var crawlCommand = &cli.Command{
	Name:      "crawl",
	Usage:     "find the nodes of a discv4 network and write them to FILE (JSON); an existing FILE is updated",
	ArgsUsage: "FILE",
	Flags: []cli.Flag{
		discv4ListenFlag,
		discv4BootnodesFlag,
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Minute, Usage: "stop crawling after this long"},
	},
	Action: discv4Crawl,
}

// crawledNode is one entry of the node set file.
type crawledNode struct {
	Record    string    `json:"record"`
	Score     int       `json:"score"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen,omitzero"`
	LastCheck time.Time `json:"lastCheck"`
}

// nodeSet is the node set file: node ID (hex) -> entry.
type nodeSet map[string]*crawledNode

func loadNodeSet(file string) (nodeSet, error) {
	set := make(nodeSet)
	if !fileExists(file) {
		return set, nil
	}
	data, err := readSmallFile(file, maxNodesFile)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return set, nil
}

func (set nodeSet) write(file string) error {
	data, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// crawler owns the node set while a crawl runs.
type crawler struct {
	disc *v4.UDPv4
	mu   sync.Mutex
	set  nodeSet
	// checked holds the IDs checked (ENR request) in this crawl.
	checked map[enode.ID]bool
	lookups int
	now     func() time.Time
	check   chan *enode.Node
}

func discv4Crawl(ctx context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	set, err := loadNodeSet(file)
	if err != nil {
		return err
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return usageErrorf(cmd, "--bootnodes: %v", err)
	}
	// Nodes of the existing set seed the table too, and are checked again.
	var known []*enode.Node
	for id, e := range set {
		n, err := enode.Parse(enode.ValidSchemes, e.Record)
		if err != nil {
			return fmt.Errorf("%s: node %s: %v", file, shorten(id), err)
		}
		known = append(known, n)
	}
	if len(boot)+len(known) == 0 {
		return usageErrorf(cmd, "nothing to start from: give --bootnodes or an existing FILE")
	}
	disc, err := startV4(ctx, cmd, append(boot, known...))
	if err != nil {
		return err
	}
	defer disc.Close()

	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	c := &crawler{disc: disc, set: set, checked: make(map[enode.ID]bool), now: time.Now, check: make(chan *enode.Node, crawlMaxQueue)}
	start := time.Now()
	fmt.Printf("crawl: starting from %d bootnodes and %d known nodes\n", len(boot), len(known))
	c.run(ctx, append(boot, known...))
	removed := c.finish()
	fmt.Printf("crawl: done in %v: %d nodes (%d answered in this crawl, %d dropped), %d lookups\n",
		time.Since(start).Round(time.Millisecond), len(c.set), c.answered(), removed, c.lookups)
	return c.set.write(file)
}

// run crawls until ctx ends or crawlQuietLookups lookups in a row found
// nothing new.
func (c *crawler) run(ctx context.Context, seeds []*enode.Node) {
	var wg sync.WaitGroup
	// Checkers ask every new node for its record.
	for range crawlWorkers / 2 {
		wg.Go(func() {
			for n := range c.check {
				c.checkNode(n)
			}
		})
	}
	for _, n := range seeds {
		c.found(n)
	}
	progress := time.NewTicker(crawlProgressInterval)
	defer progress.Stop()
	var (
		quiet   = 0
		results = make(chan int)
		running = 0
	)
	for ctx.Err() == nil && quiet < crawlQuietLookups {
		for running < crawlWorkers/2 {
			running++
			go func() {
				fresh := 0
				// The table also learns nodes from the lookups'
				// side traffic (pings from nodes that bond with us).
				for _, n := range append(c.disc.LookupRandom(), c.disc.Table().Nodes()...) {
					if c.found(n) {
						fresh++
					}
				}
				results <- fresh
			}()
		}
		select {
		case fresh := <-results:
			running--
			c.mu.Lock()
			c.lookups++
			c.mu.Unlock()
			if fresh > 0 {
				quiet = 0
			} else {
				quiet++
			}
		case <-progress.C:
			c.mu.Lock()
			fmt.Printf("crawl: %d nodes found, %d checked, %d lookups, table %d\n", len(c.checked), c.answeredLocked(), c.lookups, c.disc.Table().Len())
			c.mu.Unlock()
		case <-ctx.Done():
		}
	}
	for ; running > 0; running-- {
		<-results
	}
	close(c.check)
	wg.Wait()
}

// found records n as seen and queues its check; it reports whether n is new
// in this crawl.
func (c *crawler) found(n *enode.Node) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.checked[n.ID()]; ok {
		return false
	}
	c.checked[n.ID()] = false
	if len(c.check) < cap(c.check) {
		c.check <- n
	}
	return true
}

// checkNode asks n for its record; an answer counts for n's score.
func (c *crawler) checkNode(n *enode.Node) {
	var (
		rec *enode.Node
		err error
	)
	// A reply may miss its 500 ms window on a busy host, or the first
	// request only triggers the endpoint proof: try a few times.
	for try := 0; try < crawlCheckTries; try++ {
		if rec, err = c.disc.RequestENR(n); err == nil {
			break
		}
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	id := n.ID().String()
	e := c.set[id]
	if e == nil {
		if err != nil {
			return // never answered: not worth keeping
		}
		e = &crawledNode{FirstSeen: now}
		c.set[id] = e
	}
	e.LastCheck = now
	if err != nil {
		e.Score--
		return
	}
	e.Score++
	e.LastSeen = now
	e.Record = rec.String()
	c.checked[n.ID()] = true
}

// finish drops nodes whose score fell too low and returns how many.
func (c *crawler) finish() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	removed := 0
	for _, id := range slices.Collect(maps.Keys(c.set)) {
		if c.set[id].Score <= crawlDropScore {
			delete(c.set, id)
			removed++
		}
	}
	return removed
}

func (c *crawler) answered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answeredLocked()
}

func (c *crawler) answeredLocked() int {
	k := 0
	for _, ok := range c.checked {
		if ok {
			k++
		}
	}
	return k
}
