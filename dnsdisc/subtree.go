package dnsdisc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
)

// subtreeSync walks one subtree (the enr or the link subtree of a tree) an
// entry at a time, in random order, verifying each entry against its hash.
// Work is proportional to the queries made: each step resolves one entry and
// adds at most the children of one branch, so a tree of millions of entries
// costs nothing until it is walked.
type subtreeSync struct {
	c       *Client
	domain  string
	root    string
	link    bool                // link subtree: only branches and links allowed
	missing []string            // hashes scheduled but not fetched
	seen    map[string]struct{} // every hash ever scheduled, so a DAG is walked once
	leaves  int                 // leaves found so far
}

func newSubtreeSync(c *Client, domain, root string, link bool) *subtreeSync {
	return &subtreeSync{
		c: c, domain: domain, root: root, link: link,
		missing: []string{root},
		seen:    map[string]struct{}{root: {}},
	}
}

func (s *subtreeSync) done() bool { return len(s.missing) == 0 }

// resolveRandom resolves a random missing entry.
func (s *subtreeSync) resolveRandom(ctx context.Context) (entry, error) {
	return s.resolveAt(ctx, rand.IntN(len(s.missing)))
}

// resolveAt resolves missing[i]. An entry that fails verification is
// dropped (it will not verify on a retry either); a failed query leaves it
// to be tried again.
func (s *subtreeSync) resolveAt(ctx context.Context, i int) (entry, error) {
	hash := s.missing[i]
	e, err := s.c.resolveEntry(ctx, s.domain, hash)
	if err != nil {
		if !isQueryError(err) {
			s.remove(i)
		}
		return nil, err
	}
	s.remove(i)
	switch e := e.(type) {
	case *branchEntry:
		for _, h := range e.children {
			if _, ok := s.seen[h]; !ok {
				s.seen[h] = struct{}{}
				s.missing = append(s.missing, h)
			}
		}
	case *enrEntry:
		if s.link {
			return nil, fmt.Errorf("enr entry in link subtree at %s.%s: %w", hash, s.domain, ErrWrongType)
		}
		s.leaves++
	case *linkEntry:
		if !s.link {
			return nil, fmt.Errorf("link entry in enr subtree at %s.%s: %w", hash, s.domain, ErrWrongType)
		}
		s.leaves++
	}
	return e, nil
}

func (s *subtreeSync) remove(i int) {
	last := len(s.missing) - 1
	s.missing[i] = s.missing[last]
	s.missing = s.missing[:last]
}

// isQueryError reports whether err came from asking DNS (timeout, no
// answer, cancellation) rather than from what DNS answered.
func isQueryError(err error) bool {
	var qe *queryError
	return errors.As(err, &qe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// queryError wraps a failed lookup.
type queryError struct{ err error }

func (e *queryError) Error() string { return e.err.Error() }
func (e *queryError) Unwrap() error { return e.err }
