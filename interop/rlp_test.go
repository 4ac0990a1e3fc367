package interop

import (
	"bytes"
	"io"
	"math/big"
	"math/rand/v2"
	"reflect"
	"testing"

	ours "github.com/devp2p-go/devp2p/rlp"
	geth "github.com/ethereum/go-ethereum/rlp"
)

// Types exercised in both directions. Both libraries read the same struct
// tags, so one set of Go types serves both.
type (
	rlpEndpoint struct {
		IP       []byte
		UDP, TCP uint16
	}
	rlpPing struct {
		Version    uint
		From, To   rlpEndpoint
		Expiration uint64
		ENRSeq     uint64          `rlp:"optional"`
		Rest       []geth.RawValue `rlp:"tail"`
	}
	rlpOurPing struct {
		Version    uint
		From, To   rlpEndpoint
		Expiration uint64
		ENRSeq     uint64          `rlp:"optional"`
		Rest       []ours.RawValue `rlp:"tail"`
	}
	rlpMixed struct {
		B      bool
		U8     uint8
		U16    uint16
		U32    uint32
		U64    uint64
		Big    *big.Int
		Hash   [32]byte
		Sig    [65]byte
		One    [1]byte
		Name   string
		Data   []byte
		Nested [][]uint64
		Lists  [][][]byte
		Arr    [3]uint32
		Ptr    *rlpEndpoint `rlp:"nil"`
		PtrU   *uint64
		Skip   string   `rlp:"-"`
		Opt1   uint64   `rlp:"optional"`
		Opt2   []byte   `rlp:"optional"`
		Tail   []uint16 `rlp:"tail"`
	}
	rlpOptTail struct {
		A    uint64
		B    *big.Int `rlp:"optional"`
		C    []byte   `rlp:"optional"`
		Tail [][]byte `rlp:"tail"`
	}
)

const rlpRounds = 3000

func rlpRand() *rand.Rand { return rand.New(rand.NewPCG(0x524c50, 2026)) }

func randBytes(r *rand.Rand, max int) []byte {
	n := r.IntN(max + 1)
	// Bias towards the interesting sizes around the short/long boundary
	// and single bytes.
	switch r.IntN(6) {
	case 0:
		n = 1
	case 1:
		n = 54 + r.IntN(4)
	}
	b := make([]byte, n)
	for i := range b {
		if r.IntN(3) == 0 {
			b[i] = byte(r.IntN(0x80))
		} else {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

func randUint(r *rand.Rand, bits int) uint64 {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return uint64(r.IntN(0x81))
	}
	x := r.Uint64() >> uint(r.IntN(64))
	if bits < 64 {
		x &= 1<<bits - 1
	}
	return x
}

func randBig(r *rand.Rand) *big.Int {
	if r.IntN(5) == 0 {
		return new(big.Int).SetUint64(randUint(r, 64))
	}
	b := randBytes(r, 70)
	return new(big.Int).SetBytes(b)
}

func randEndpoint(r *rand.Rand) rlpEndpoint {
	ip := make([]byte, []int{0, 4, 16}[r.IntN(3)])
	for i := range ip {
		ip[i] = byte(r.Uint32())
	}
	return rlpEndpoint{IP: ip, UDP: uint16(randUint(r, 16)), TCP: uint16(randUint(r, 16))}
}

func randRaw(r *rand.Rand) []byte {
	b, err := ours.EncodeToBytes(randAny(r, 3))
	if err != nil {
		panic(err)
	}
	return b
}

// randAny returns a tree of []byte and []any as decoding into `any` gives.
func randAny(r *rand.Rand, depth int) any {
	if depth == 0 || r.IntN(3) == 0 {
		return randBytes(r, 60)
	}
	l := make([]any, r.IntN(5))
	for i := range l {
		l[i] = randAny(r, depth-1)
	}
	return l
}

func randPing(r *rand.Rand) *rlpPing {
	p := &rlpPing{
		Version:    uint(randUint(r, 64)),
		From:       randEndpoint(r),
		To:         randEndpoint(r),
		Expiration: randUint(r, 64),
	}
	if r.IntN(2) == 0 {
		p.ENRSeq = randUint(r, 64)
	}
	if r.IntN(3) == 0 {
		for range r.IntN(4) {
			p.Rest = append(p.Rest, randRaw(r))
		}
	}
	return p
}

func randMixed(r *rand.Rand) *rlpMixed {
	m := &rlpMixed{
		B:    r.IntN(2) == 0,
		U8:   uint8(randUint(r, 8)),
		U16:  uint16(randUint(r, 16)),
		U32:  uint32(randUint(r, 32)),
		U64:  randUint(r, 64),
		Big:  randBig(r),
		Name: string(randBytes(r, 80)),
		Data: randBytes(r, 300),
	}
	for i := range m.Hash {
		m.Hash[i] = byte(r.Uint32())
	}
	for i := range m.Sig {
		m.Sig[i] = byte(r.Uint32())
	}
	m.One[0] = byte(r.IntN(256))
	for range r.IntN(4) {
		var l []uint64
		for range r.IntN(30) {
			l = append(l, randUint(r, 64))
		}
		m.Nested = append(m.Nested, l)
	}
	for range r.IntN(3) {
		var l [][]byte
		for range r.IntN(4) {
			l = append(l, randBytes(r, 10))
		}
		m.Lists = append(m.Lists, l)
	}
	for i := range m.Arr {
		m.Arr[i] = uint32(randUint(r, 32))
	}
	if r.IntN(2) == 0 {
		e := randEndpoint(r)
		m.Ptr = &e
	}
	if r.IntN(2) == 0 {
		x := randUint(r, 64)
		m.PtrU = &x
	}
	if r.IntN(2) == 0 {
		m.Opt1 = randUint(r, 64)
	}
	if r.IntN(2) == 0 {
		m.Opt2 = randBytes(r, 5)
	}
	if r.IntN(2) == 0 {
		for range r.IntN(5) {
			m.Tail = append(m.Tail, uint16(randUint(r, 16)))
		}
	}
	return m
}

func randOptTail(r *rand.Rand) *rlpOptTail {
	v := &rlpOptTail{A: randUint(r, 64)}
	switch r.IntN(4) {
	case 0:
	case 1:
		v.B = randBig(r)
	case 2:
		v.B = randBig(r)
		v.C = randBytes(r, 8)
	case 3:
		v.B = randBig(r)
		v.C = randBytes(r, 8)
		for range r.IntN(4) {
			v.Tail = append(v.Tail, randBytes(r, 8))
		}
	}
	return v
}

// checkEncode encodes v with both libraries and requires identical bytes.
func checkEncode(t *testing.T, v any) []byte {
	t.Helper()
	a, err := ours.EncodeToBytes(v)
	if err != nil {
		t.Fatalf("ours: encode %T: %v", v, err)
	}
	b, err := geth.EncodeToBytes(v)
	if err != nil {
		t.Fatalf("geth: encode %T: %v", v, err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("encodings differ for %#v\nours %x\ngeth %x", v, a, b)
	}
	return a
}

// checkDecode decodes enc into new values of typ with both libraries and
// requires the same verdict and deeply equal results.
func checkDecode(t *testing.T, typ reflect.Type, enc []byte) (any, error) {
	t.Helper()
	po, pg := reflect.New(typ), reflect.New(typ)
	errO := ours.DecodeBytes(enc, po.Interface())
	errG := geth.DecodeBytes(enc, pg.Interface())
	if (errO == nil) != (errG == nil) {
		t.Fatalf("verdicts differ for %v on %x\nours: %v\ngeth: %v", typ, enc, errO, errG)
	}
	if errO == nil && !reflect.DeepEqual(po.Elem().Interface(), pg.Elem().Interface()) {
		t.Fatalf("decoded values differ for %v on %x\nours %#v\ngeth %#v", typ, enc, po.Elem().Interface(), pg.Elem().Interface())
	}
	return po.Elem().Interface(), errO
}

func roundTrip[T any](t *testing.T, gen func(*rand.Rand) T) {
	r := rlpRand()
	typ := reflect.TypeFor[T]()
	for range rlpRounds {
		v := gen(r)
		enc := checkEncode(t, v)
		got, err := checkDecode(t, typ, enc)
		if err != nil {
			t.Fatalf("decode of our encoding failed: %v\n%x", err, enc)
		}
		if re := checkEncode(t, got); !bytes.Equal(re, enc) {
			t.Fatalf("re-encoding differs: %x vs %x", re, enc)
		}
	}
}

func toOurPing(p *rlpPing) *rlpOurPing {
	o := &rlpOurPing{Version: p.Version, From: p.From, To: p.To, Expiration: p.Expiration, ENRSeq: p.ENRSeq}
	if p.Rest != nil {
		o.Rest = make([]ours.RawValue, len(p.Rest))
		for i, r := range p.Rest {
			o.Rest[i] = ours.RawValue(r)
		}
	}
	return o
}

// TestRLPInteropPing uses a discovery-packet-like struct. The RawValue types
// of the two libraries differ, so each side gets its own struct type.
func TestRLPInteropPing(t *testing.T) {
	r := rlpRand()
	for range rlpRounds {
		p := randPing(r)
		a, err := ours.EncodeToBytes(toOurPing(p))
		if err != nil {
			t.Fatal(err)
		}
		b, err := geth.EncodeToBytes(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("encodings differ\nours %x\ngeth %x", a, b)
		}
		var o rlpOurPing
		var g rlpPing
		if err := ours.DecodeBytes(a, &o); err != nil {
			t.Fatalf("ours: %v", err)
		}
		if err := geth.DecodeBytes(a, &g); err != nil {
			t.Fatalf("geth: %v", err)
		}
		if !reflect.DeepEqual(&o, toOurPing(&g)) {
			t.Fatalf("decoded values differ\nours %#v\ngeth %#v", o, g)
		}
	}
}

func TestRLPInteropMixed(t *testing.T)   { roundTrip(t, randMixed) }
func TestRLPInteropOptTail(t *testing.T) { roundTrip(t, randOptTail) }
func TestRLPInteropBig(t *testing.T)     { roundTrip(t, randBig) }
func TestRLPInteropAny(t *testing.T) {
	roundTrip(t, func(r *rand.Rand) any { return randAny(r, 5) })
}
func TestRLPInteropUint64s(t *testing.T) {
	roundTrip(t, func(r *rand.Rand) []uint64 {
		l := make([]uint64, r.IntN(100))
		for i := range l {
			l[i] = randUint(r, 64)
		}
		return l
	})
}
func TestRLPInteropStrings(t *testing.T) {
	roundTrip(t, func(r *rand.Rand) []string {
		l := make([]string, r.IntN(10))
		for i := range l {
			l[i] = string(randBytes(r, 100))
		}
		return l
	})
}

// TestRLPInteropMutations flips bytes of valid encodings; both decoders
// must accept or reject the same inputs (strictness parity), and agree on
// the value when they accept.
func TestRLPInteropMutations(t *testing.T) {
	type gen struct {
		typ reflect.Type
		f   func(*rand.Rand) any
	}
	gens := []gen{
		{reflect.TypeFor[rlpMixed](), func(r *rand.Rand) any { return randMixed(r) }},
		{reflect.TypeFor[rlpOptTail](), func(r *rand.Rand) any { return randOptTail(r) }},
		{reflect.TypeFor[any](), func(r *rand.Rand) any { return randAny(r, 4) }},
		{reflect.TypeFor[*big.Int](), func(r *rand.Rand) any { return randBig(r) }},
		{reflect.TypeFor[[]uint64](), func(r *rand.Rand) any {
			l := make([]uint64, r.IntN(10))
			for i := range l {
				l[i] = randUint(r, 64)
			}
			return l
		}},
	}
	r := rlpRand()
	for _, g := range gens {
		t.Run(g.typ.String(), func(t *testing.T) {
			for range rlpRounds {
				enc := checkEncode(t, g.f(r))
				mut := bytes.Clone(enc)
				for range 1 + r.IntN(3) {
					if len(mut) == 0 {
						break
					}
					switch i := r.IntN(len(mut)); r.IntN(4) {
					case 0:
						mut[i] = byte(r.Uint32())
					case 1:
						mut[i]++
					case 2:
						mut = mut[:i]
					case 3:
						mut = append(mut, byte(r.Uint32()))
					}
				}
				checkDecode(t, g.typ, mut)
			}
		})
	}
}

// TestRLPInteropStream reads a sequence of values with both Streams.
func TestRLPInteropStream(t *testing.T) {
	r := rlpRand()
	var buf bytes.Buffer
	var want []uint64
	for range 200 {
		x := randUint(r, 64)
		want = append(want, x)
		if err := ours.Encode(&buf, x); err != nil {
			t.Fatal(err)
		}
	}
	so := ours.NewStream(bytes.NewReader(buf.Bytes()), 0)
	sg := geth.NewStream(bytes.NewReader(buf.Bytes()), 0)
	for i, w := range want {
		a, errA := so.Uint64()
		b, errB := sg.Uint64()
		if errA != nil || errB != nil || a != w || b != w {
			t.Fatalf("value %d: ours %d (%v), geth %d (%v), want %d", i, a, errA, b, errB, w)
		}
	}
	if _, err := so.Uint64(); err == nil {
		t.Fatal("ours: no error at end of input")
	}
}

// rlpValEnc and rlpPtrEnc have their own EncodeRLP (the method has the same
// signature in both libraries, so both call it).
type rlpValEnc struct{ A uint64 }

func (e rlpValEnc) EncodeRLP(w io.Writer) error { return ours.Encode(w, []uint64{e.A, e.A + 1}) }

type rlpPtrEnc struct{ B []byte }

func (e *rlpPtrEnc) EncodeRLP(w io.Writer) error { return ours.Encode(w, append([]byte{0xEE}, e.B...)) }

type rlpEncoders struct {
	V    rlpValEnc
	VP   *rlpValEnc
	P    rlpPtrEnc
	PP   *rlpPtrEnc
	List []rlpPtrEnc
	Any  any
}

// TestRLPInteropEncoders: types with EncodeRLP, by value and by pointer,
// nil and not, directly and behind interfaces.
func TestRLPInteropEncoders(t *testing.T) {
	r := rlpRand()
	for range rlpRounds {
		v := &rlpEncoders{V: rlpValEnc{randUint(r, 63)}, P: rlpPtrEnc{randBytes(r, 10)}}
		if r.IntN(2) == 0 {
			v.VP = &rlpValEnc{randUint(r, 63)}
		}
		if r.IntN(2) == 0 {
			v.PP = &rlpPtrEnc{randBytes(r, 3)}
		}
		for range r.IntN(3) {
			v.List = append(v.List, rlpPtrEnc{randBytes(r, 3)})
		}
		switch r.IntN(4) {
		case 1:
			v.Any = rlpValEnc{1}
		case 2:
			v.Any = &rlpPtrEnc{[]byte{1}}
		case 3:
			v.Any = (*rlpPtrEnc)(nil)
		}
		enc := checkEncode(t, v)
		checkEncode(t, &v.P)
		checkEncode(t, v.PP)
		// Passed by value, a pointer-receiver EncodeRLP cannot be
		// called without a copy: go-ethereum refuses, we encode a copy.
		if got, err := ours.EncodeToBytes(*v); err != nil || !bytes.Equal(got, enc) {
			t.Fatalf("by value: got %x (%v), want %x", got, err, enc)
		}
		if _, err := geth.EncodeToBytes(*v); err == nil {
			t.Fatal("geth now encodes unaddressable values; make checkEncode strict")
		}
	}
}
