package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/discover"
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
	// crawlCheckTries is how many ENR requests one check of a node sends
	// before the node counts as not answering: a reply may miss its window
	// on a busy host, or the first request only triggers the handshake
	// (discv4 endpoint proof, discv5 WHOAREYOU).
	crawlCheckTries = 3
	// crawlChecksPerNode is how often a crawl checks a node that has not
	// answered yet, each time a lookup finds it again: it may have been
	// busy, or unreachable while the crawl began. A node of the set that
	// failed its check is not asked again (its score was halved already).
	crawlChecksPerNode = 3
	// crawlMaxQueue bounds the nodes waiting for their check.
	crawlMaxQueue = 1 << 16
)

var (
	crawlTimeoutFlag = &cli.DurationFlag{
		Name:  "timeout",
		Value: 30 * time.Minute,
		Usage: "stop crawling and write FILE after this long (a hard limit)",
	}
	// crawlRecheckFlag spares nodes that a crawl just checked, so that
	// crawls run back to back (or from cron) do not ask the same nodes
	// again and again; go-ethereum's crawler uses the same interval.
	crawlRecheckFlag = &cli.DurationFlag{
		Name:  "recheck",
		Value: 10 * time.Minute,
		Usage: "do not ask the nodes of FILE that were checked within this long (0: ask every node)",
	}
)

// crawlCommand crawls a discv4 network; discv5CrawlCommand is its twin.
var crawlCommand = &cli.Command{
	Name:      "crawl",
	Usage:     "find the nodes of a discv4 network and write them to FILE (node-set JSON); an existing FILE is updated",
	ArgsUsage: "FILE",
	Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, crawlTimeoutFlag, crawlRecheckFlag},
	Action: func(ctx context.Context, cmd *cli.Command) error {
		return runCrawl(ctx, cmd, func(boot []*enode.Node) (crawlEngine, error) {
			disc, err := startV4(ctx, cmd, boot)
			if err != nil {
				return nil, err
			}
			return crawlTable{disc}, nil
		})
	},
}

// crawlEngine is what a crawl needs of a discovery engine.
type crawlEngine interface {
	LookupRandom(context.Context) []*enode.Node
	RequestENR(context.Context, *enode.Node) (*enode.Node, error)
	// TableNodes returns the nodes of the engine's table, which also learns
	// nodes from the lookups' side traffic (nodes that contact us).
	TableNodes() []*enode.Node
	// Close ends the engine; requests in flight fail at once.
	Close()
}

// tableEngine is what discv4's and discv5's engines have in common.
type tableEngine interface {
	LookupRandom(context.Context) []*enode.Node
	RequestENR(context.Context, *enode.Node) (*enode.Node, error)
	Table() *discover.Table
	Close()
}

// crawlTable makes a crawlEngine of discv4's or discv5's engine.
type crawlTable struct{ tableEngine }

func (e crawlTable) TableNodes() []*enode.Node { return e.Table().Nodes() }

// runCrawl is the crawl command of both discovery versions.
func runCrawl(ctx context.Context, cmd *cli.Command, start func(boot []*enode.Node) (crawlEngine, error)) error {
	// The time limit counts from here: setting up is part of the crawl.
	begin := time.Now()
	timeout, err := timeoutFlag(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	recheck := cmd.Duration("recheck")
	if recheck < 0 {
		return flagError("recheck", recheck, "want 0 (check every node) or a positive duration")
	}
	// Find a bad output path now, not after a long crawl.
	if err := checkWritable(file); err != nil {
		return err
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return fmt.Errorf("--bootnodes: %v", err)
	}
	job := crawlJob{file: file, boot: boot, recheck: recheck, start: start, out: os.Stdout}
	err = job.run(ctx, begin)
	if errors.Is(err, errNothingToCrawl) {
		return usageErrorf(cmd, "%v", err)
	}
	return err
}

var errNothingToCrawl = errors.New("nothing to start from: give --bootnodes or an existing FILE")

// crawlJob is one crawl of the command: it updates the node set in file.
type crawlJob struct {
	file    string
	boot    []*enode.Node
	recheck time.Duration // nodes of the file checked within this long are not asked again
	start   func(seeds []*enode.Node) (crawlEngine, error)
	out     io.Writer // progress and summary lines
}

// run loads the node set, crawls from the bootnodes and the set's nodes
// until ctx ends or the crawl is done, and writes the set back.
func (j crawlJob) run(ctx context.Context, begin time.Time) error {
	set := make(nodeSet)
	if fileExists(j.file) {
		var err error
		if set, err = loadNodeSet(j.file); err != nil {
			return err
		}
	}
	// Nodes of the existing set seed the table too, and are checked again
	// unless checked recently; those without a UDP endpoint cannot be asked
	// and stay as they are.
	known := make([]*enode.Node, 0, len(set))
	for _, e := range set {
		if _, ok := e.Record.UDPEndpoint(); ok {
			known = append(known, e.Record.Node)
		}
	}
	if len(j.boot)+len(known) == 0 {
		return errNothingToCrawl
	}
	seeds := append(slices.Clip(j.boot), known...)
	disc, err := j.start(seeds)
	if err != nil {
		return err
	}
	defer disc.Close()

	c := newCrawler(disc, set, j.out)
	c.recheck = j.recheck
	fmt.Fprintf(j.out, "crawl: starting from %d bootnodes and %d known nodes\n", len(j.boot), len(known))
	c.run(ctx, seeds)
	fmt.Fprintf(j.out, "crawl: done in %v: %d nodes (%d answered in this crawl, %d checked recently, %d removed), %d lookups\n",
		time.Since(begin).Round(time.Millisecond), len(c.set), c.answered, c.skipped, c.removed, c.lookups)
	return c.set.write(j.file)
}

// crawler finds nodes by random lookups and checks each one it finds by
// asking for its record, keeping score as go-ethereum's crawler does.
type crawler struct {
	disc  crawlEngine
	check chan *enode.Node
	out   io.Writer // progress lines
	// recheck spares the nodes of the set whose last check is more recent
	// (0: check every node).
	recheck time.Duration

	mu sync.Mutex
	// Fields below are guarded by mu.
	set nodeSet
	// seen holds the nodes found in this crawl and their checks.
	seen map[enode.ID]*crawlChecks
	// stopped is set when the crawl ends: results that come in later are
	// dropped (an engine that closes fails its pending requests, which
	// says nothing about the nodes).
	stopped                             bool
	answered, removed, skipped, lookups int
}

func newCrawler(disc crawlEngine, set nodeSet, out io.Writer) *crawler {
	return &crawler{
		disc:  disc,
		out:   out,
		set:   set,
		seen:  make(map[enode.ID]*crawlChecks),
		check: make(chan *enode.Node, crawlMaxQueue),
	}
}

// run crawls until ctx ends or crawlQuietLookups lookups in a row found
// nothing new and the nodes found are checked. When ctx ends it closes the
// engine, so that the requests in flight return at once, and waits for its
// goroutines.
func (c *crawler) run(ctx context.Context, seeds []*enode.Node) {
	var checkers sync.WaitGroup
	for range crawlWorkers / 2 {
		checkers.Go(func() {
			for n := range c.check {
				c.checkNode(ctx, n)
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
				for _, n := range append(c.disc.LookupRandom(ctx), c.disc.TableNodes()...) {
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
			fmt.Fprintf(c.out, "crawl: %d nodes found, %d answered, %d lookups\n", len(c.seen), c.answered, c.lookups)
			c.mu.Unlock()
		case <-ctx.Done():
		}
	}
	// Let the lookups and checks in flight finish, unless time is up.
	done := make(chan struct{})
	go func() {
		for ; running > 0; running-- {
			<-results
		}
		close(c.check)
		checkers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		c.stop()
		<-done
	}
}

// stop ends the crawl: what was checked so far is the result.
func (c *crawler) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.disc.Close()
}

// crawlChecks is what a crawl did about one node.
type crawlChecks struct {
	queued  bool // a check is queued or running
	checks  int  // checks queued so far
	settled bool // answered, or failed with its score counted
}

// found queues a check of n, unless n is settled in this crawl or has had
// its checks; it reports whether n is new in this crawl.
func (c *crawler) found(n *enode.Node) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return false
	}
	st, seen := c.seen[n.ID()]
	if !seen {
		st = new(crawlChecks)
		c.seen[n.ID()] = st
		if e := c.set[n.ID()]; e != nil && c.checkedRecently(e) {
			st.settled = true // its entry stays as it is
			c.skipped++
		}
	}
	if !st.queued && !st.settled && st.checks < crawlChecksPerNode && len(c.check) < cap(c.check) {
		st.queued = true
		st.checks++
		c.check <- n
	}
	return !seen
}

// checkedRecently reports whether e was checked less than c.recheck ago. A
// check time in the future (another machine's clock) is not recent.
func (c *crawler) checkedRecently(e *nodeSetEntry) bool {
	if e.LastCheck.IsZero() {
		return false
	}
	age := time.Since(e.LastCheck)
	return age >= 0 && age < c.recheck
}

// checkNode asks n for its record and scores the outcome.
func (c *crawler) checkNode(ctx context.Context, n *enode.Node) {
	var (
		rec *enode.Node
		err error
	)
	for try := 0; try < crawlCheckTries && !c.isStopped(); try++ {
		if rec, err = c.disc.RequestENR(ctx, n); err == nil {
			break
		}
	}
	c.score(n.ID(), rec, err)
}

func (c *crawler) isStopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped
}

// score updates the entry of node id after a check: rec is the record it
// gave, or err why it did not answer. The rules are go-ethereum's: a node
// enters the set with its first answer; each answer adds 1 to its score,
// each failed check halves it, and at 0 the node leaves the set.
func (c *crawler) score(id enode.ID, rec *enode.Node, err error) {
	now := time.Now().UTC().Truncate(time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	st := c.seen[id]
	st.queued = false
	e := c.set[id]
	if err != nil {
		if e == nil || e.Score <= 0 {
			return // it never answered: nothing to learn or keep
		}
		st.settled = true
		e.LastCheck = now
		if e.Score /= 2; e.Score == 0 {
			delete(c.set, id)
			c.removed++
		}
		return
	}
	if e == nil {
		e = new(nodeSetEntry)
		c.set[id] = e
	}
	e.Record, e.Seq = nodeRecord{rec}, rec.Seq()
	e.Score++
	if e.FirstResponse.IsZero() {
		e.FirstResponse = now
	}
	e.LastResponse, e.LastCheck = now, now
	st.settled = true
	c.answered++
}
