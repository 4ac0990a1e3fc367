package nodedb

import (
	"encoding/binary"
	"net/netip"

	"github.com/devp2p-go/devp2p/enode"
)

// Key layout. Every key starts with a one-letter space and a colon so that a
// dump of the database stays readable and the spaces never overlap:
//
//	v                          -> schema version (uvarint)
//	n:<id 32>                  -> the node's latest record (RLP of enr.Record)
//	n:<id 32>:<f 1>            -> per-node field f (see below)
//	n:<id 32>:<ip 16>:<f 1>    -> per-node-and-IP field f
//	l:<id 32>                  -> local sequence number of the local node <id> (uvarint)
//	g:<time 8>:<id 32>         -> index of good peers, ordered by last peer success
//
// All data of one node is contiguous (prefix "n:"+id), so deleting a node is a
// single range deletion and reading a node's fields is one short iteration.
// IPs are stored as 16 bytes (IPv4 in its v4-mapped form) so that every key
// kind has one fixed length, and the kind of a key is known from its length.
const (
	spaceNode  = 'n'
	spaceLocal = 'l'
	spaceGood  = 'g'
	sep        = ':'

	idLen = len(enode.ID{})
	ipLen = 16

	nodePrefixLen = 2 + idLen                 // n:<id>
	nodeFieldLen  = nodePrefixLen + 2         // n:<id>:<f>
	ipFieldLen    = nodePrefixLen + ipLen + 3 // n:<id>:<ip>:<f>
	goodKeyLen    = 2 + 8 + 1 + idLen         // g:<time>:<id>
)

// Field letters.
const (
	fieldUpdated     = 'u' // per node: when the record was last stored (varint unix seconds)
	fieldPeerSuccess = 's' // per node: last successful peer session (varint unix seconds)
	fieldPing        = 'i' // per IP: last ping received (varint unix seconds)
	fieldPong        = 'o' // per IP: last pong received (varint unix seconds)
	fieldFindFails   = 'f' // per IP: findnode failures (uvarint)
)

var (
	versionKey = []byte("v")

	// Bounds of the node space: "n:" <= key < "n;".
	nodeSpaceStart = []byte{spaceNode, sep}
	nodeSpaceEnd   = []byte{spaceNode, sep + 1}
	goodSpaceStart = []byte{spaceGood, sep}
	goodSpaceEnd   = []byte{spaceGood, sep + 1}
)

// normIP returns ip in the form used for keys: v4-mapped IPv6 addresses become
// IPv4, zones are dropped. ok is false for the invalid (zero) Addr.
func normIP(ip netip.Addr) (netip.Addr, bool) {
	if !ip.IsValid() {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

func nodeKey(id enode.ID) []byte {
	k := make([]byte, 0, nodePrefixLen)
	k = append(k, spaceNode, sep)
	return append(k, id[:]...)
}

// nodeEnd is the exclusive upper bound of all keys of node id.
func nodeEnd(id enode.ID) []byte {
	k := nodeKey(id)
	// Increment the ID as a big-endian number; the all-0xff ID rolls over into
	// the next space, which is still a correct exclusive bound.
	for i := len(k) - 1; i >= 0; i-- {
		k[i]++
		if k[i] != 0 {
			break
		}
	}
	return k
}

func nodeFieldKey(id enode.ID, field byte) []byte {
	k := make([]byte, 0, nodeFieldLen)
	k = append(k, spaceNode, sep)
	k = append(k, id[:]...)
	return append(k, sep, field)
}

func ipFieldKey(id enode.ID, ip netip.Addr, field byte) []byte {
	k := make([]byte, 0, ipFieldLen)
	k = append(k, spaceNode, sep)
	k = append(k, id[:]...)
	k = append(k, sep)
	ip16 := ip.As16()
	k = append(k, ip16[:]...)
	return append(k, sep, field)
}

func localSeqKey(id enode.ID) []byte {
	k := make([]byte, 0, nodePrefixLen)
	k = append(k, spaceLocal, sep)
	return append(k, id[:]...)
}

func goodKey(t int64, id enode.ID) []byte {
	k := make([]byte, 0, goodKeyLen)
	k = append(k, spaceGood, sep)
	k = binary.BigEndian.AppendUint64(k, uint64(max(t, 0)))
	k = append(k, sep)
	return append(k, id[:]...)
}

// splitNodeKey parses any key of the node space. It returns the node ID, the
// key's kind (its length) and, for per-IP keys, the IP and field.
type nodeKeyParts struct {
	id    enode.ID
	kind  int // nodePrefixLen, nodeFieldLen or ipFieldLen
	ip    netip.Addr
	field byte
}

func parseNodeKey(k []byte) (p nodeKeyParts, ok bool) {
	if len(k) < nodePrefixLen || k[0] != spaceNode || k[1] != sep {
		return p, false
	}
	copy(p.id[:], k[2:nodePrefixLen])
	p.kind = len(k)
	switch len(k) {
	case nodePrefixLen:
	case nodeFieldLen:
		if k[nodePrefixLen] != sep {
			return p, false
		}
		p.field = k[nodeFieldLen-1]
	case ipFieldLen:
		if k[nodePrefixLen] != sep || k[ipFieldLen-2] != sep {
			return p, false
		}
		p.ip = netip.AddrFrom16([16]byte(k[nodePrefixLen+1 : nodePrefixLen+1+ipLen])).Unmap()
		p.field = k[ipFieldLen-1]
	default:
		return p, false
	}
	return p, true
}

// Values.

func encodeTime(unix int64) []byte { return binary.AppendVarint(nil, unix) }

func decodeTime(v []byte) (int64, bool) {
	x, n := binary.Varint(v)
	return x, n > 0 && n == len(v)
}

func encodeUint(x uint64) []byte { return binary.AppendUvarint(nil, x) }

func decodeUint(v []byte) (uint64, bool) {
	x, n := binary.Uvarint(v)
	return x, n > 0 && n == len(v)
}
