package rlp

import (
	"bytes"
	"reflect"
	"sync"
	"testing"
)

// TestTypeCacheConcurrent encodes and decodes the same new types from many
// goroutines at once, so that -race checks the copy-on-write cache.
func TestTypeCacheConcurrent(t *testing.T) {
	type (
		node struct {
			V    uint
			Next *node `rlp:"nil"`
		}
		wrapper struct {
			N   node
			L   []node
			Opt []byte `rlp:"optional"`
		}
	)
	val := &wrapper{N: node{1, &node{2, nil}}, L: []node{{3, nil}}}
	want, err := EncodeToBytes(val)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				enc, err := EncodeToBytes(val)
				if err != nil || !bytes.Equal(enc, want) {
					t.Errorf("got %x, %v", enc, err)
					return
				}
				var back wrapper
				if err := DecodeBytes(enc, &back); err != nil || !looseEqual(reflect.ValueOf(back), reflect.ValueOf(*val)) {
					t.Errorf("decoded %+v, %v", back, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestStructTagErrorsOnDecode: invalid tags are reported by decoding too.
func TestStructTagErrorsOnDecode(t *testing.T) {
	var v struct {
		A uint `rlp:"optional"`
		B uint
	}
	err := DecodeBytes([]byte{0xC2, 0x01, 0x02}, &v)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(".B: must be")) {
		t.Errorf("got %v", err)
	}
}
