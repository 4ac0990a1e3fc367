package rlpx

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

// TestReadToSeesHeaderFirst checks that ReadTo shows the code and the
// decoded size before decoding, decodes into the caller's buffer, and that
// a refusal from alloc leaves the connection in step for the next message.
func TestReadToSeesHeaderFirst(t *testing.T) {
	for _, snappy := range []bool{false, true} {
		t.Run(fmt.Sprint("snappy=", snappy), func(t *testing.T) {
			a, b := connPair(t)
			a.SetSnappy(snappy)
			b.SetSnappy(snappy)
			big := bytes.Repeat([]byte{7}, 1<<20) // compresses about 20x
			errc := make(chan error, 1)
			go func() {
				for _, m := range []struct {
					code uint64
					data []byte
				}{{17, big}, {18, []byte("small")}} {
					if _, err := a.Write(m.code, m.data); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()

			refused := errors.New("refused")
			var seen MsgHeader
			_, data, err := b.ReadTo(func(h MsgHeader) ([]byte, error) {
				seen = h
				return nil, refused
			})
			if !errors.Is(err, refused) || data != nil {
				t.Fatalf("refused message: data %d bytes, err %v", len(data), err)
			}
			if seen.Code != 17 || seen.Size != len(big) {
				t.Fatalf("alloc saw %+v, want code 17 size %d", seen, len(big))
			}
			if snappy && seen.WireSize >= len(big)/10 {
				t.Fatalf("wire size %d: not compressed", seen.WireSize)
			}

			own := make([]byte, 0, 64)
			h, data, err := b.ReadTo(func(h MsgHeader) ([]byte, error) { return own, nil })
			if err != nil || h.Code != 18 || string(data) != "small" {
				t.Fatalf("next message: %+v %q %v", h, data, err)
			}
			if &data[0] != &own[:1][0] {
				t.Fatal("data not decoded into the caller's buffer")
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestReadToShortBuffer checks that a buffer too small for the message is an
// error, not a silent allocation.
func TestReadToShortBuffer(t *testing.T) {
	a, b := connPair(t)
	a.SetSnappy(true)
	b.SetSnappy(true)
	go a.Write(20, bytes.Repeat([]byte{1}, 4096))
	_, _, err := b.ReadTo(func(h MsgHeader) ([]byte, error) { return make([]byte, h.Size-1), nil })
	if err == nil {
		t.Fatal("no error for a short buffer")
	}
	if _, _, err := b.ReadTo(nil); !errors.Is(err, errNilAlloc) {
		t.Fatalf("nil alloc: %v", err)
	}
}
