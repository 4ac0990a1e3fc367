package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/enode"
)

var nodesetCommand = &cli.Command{
	Name:  "nodeset",
	Usage: "inspect and filter node-set files (as written by crawl, here or by go-ethereum's devp2p)",
	Commands: []*cli.Command{
		{
			Name:      "info",
			Usage:     "print the number of nodes, their scores and ages, and how many records hold each ENR key",
			ArgsUsage: "FILE",
			Action:    nodesetInfo,
		},
		{
			Name:      "filter",
			Usage:     "print (or write to --output) the nodes of FILE that pass every filter given",
			ArgsUsage: "FILE",
			Flags:     nodesetFilterFlags,
			Action:    nodesetFilter,
		},
	},
}

func nodesetInfo(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	set, err := loadNodeSet(file)
	if err != nil {
		return err
	}
	printNodeSetInfo(os.Stdout, set, time.Now())
	return nil
}

// printNodeSetInfo writes the summary that nodeset info prints.
func printNodeSetInfo(w io.Writer, set nodeSet, now time.Time) {
	fmt.Fprintf(w, "nodes:          %d\n", len(set))
	if len(set) == 0 {
		return
	}
	var (
		scores   []int
		ages     []time.Duration
		lastResp []time.Time
		keys     = make(map[string]int)
	)
	for _, e := range set {
		scores = append(scores, e.Score)
		ages = append(ages, e.age())
		if !e.LastResponse.IsZero() {
			lastResp = append(lastResp, e.LastResponse)
		}
		for k := range e.Record.Record().Pairs() {
			keys[k]++
		}
	}
	slices.Sort(scores)
	slices.Sort(ages)
	slices.SortFunc(lastResp, time.Time.Compare)
	fmt.Fprintf(w, "score:          min %d, median %d, max %d\n", scores[0], scores[len(scores)/2], scores[len(scores)-1])
	// Age is go-ethereum's: how long a node has been answering, from its
	// first to its latest answer.
	fmt.Fprintf(w, "age:            min %v, median %v, max %v\n", ages[0], ages[len(ages)/2], ages[len(ages)-1])
	if len(lastResp) > 0 {
		newest, oldest := lastResp[len(lastResp)-1], lastResp[0]
		fmt.Fprintf(w, "last response:  newest %s (%v ago), oldest %s (%v ago)\n",
			newest.Format(time.RFC3339), now.Sub(newest).Round(time.Second),
			oldest.Format(time.RFC3339), now.Sub(oldest).Round(time.Second))
	}
	if never := len(set) - len(lastResp); never > 0 {
		fmt.Fprintf(w, "never answered: %d\n", never)
	}
	fmt.Fprintln(w, "ENR keys (records holding each):")
	names := slices.Sorted(maps.Keys(keys))
	width := len(slices.MaxFunc(names, func(a, b string) int { return cmp.Compare(len(a), len(b)) }))
	for _, k := range names {
		fmt.Fprintf(w, "  %-*s %d\n", width, k, keys[k])
	}
}

func nodesetFilter(_ context.Context, cmd *cli.Command) error {
	file, err := oneArg(cmd, "FILE")
	if err != nil {
		return err
	}
	f, err := parseNodeFilter(cmd)
	if err != nil {
		return err
	}
	out := cmd.String("output")
	if out != "" && out != "-" {
		if err := checkWritable(out); err != nil {
			return err
		}
	}
	set, err := loadNodeSet(file)
	if err != nil {
		return err
	}
	result := f.apply(set)
	if out != "" && out != "-" {
		return result.write(out)
	}
	data, err := result.encode()
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(data)
	return err
}

// topByScore keeps the n nodes with the highest scores; among equal scores,
// the lowest IDs, so that the result does not depend on map order.
func topByScore(set nodeSet, n int) nodeSet {
	if n >= len(set) {
		return set
	}
	ids := slices.SortedFunc(maps.Keys(set), func(a, b enode.ID) int {
		if c := cmp.Compare(set[b].Score, set[a].Score); c != 0 {
			return c
		}
		return slices.Compare(a[:], b[:])
	})
	top := make(nodeSet, n)
	for _, id := range ids[:n] {
		top[id] = set[id]
	}
	return top
}
