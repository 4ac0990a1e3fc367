package admin

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/enode"
)

// call is the context of one method call.
type call struct {
	ctx context.Context
	// conn is the WebSocket or IPC connection the call came on, nil over
	// HTTP, which cannot carry subscriptions.
	conn *stream
}

// method runs one JSON-RPC method on its positional arguments.
type method func(s *Server, c *call, args []json.RawMessage) (any, *Error)

// methods is the admin API. The admin_ and rpc_ methods answer as
// go-ethereum's do; devp2p_ are ours.
var methods = map[string]method{
	"admin_nodeInfo":          noArgs(func(s *Server) any { return s.p2p.NodeInfo() }),
	"admin_peers":             noArgs(func(s *Server) any { return s.p2p.PeersInfo() }),
	"admin_addPeer":           nodeOp((*devp2p.Server).AddPeer),
	"admin_removePeer":        nodeOp((*devp2p.Server).RemovePeer),
	"admin_addTrustedPeer":    nodeOp((*devp2p.Server).AddTrustedPeer),
	"admin_removeTrustedPeer": nodeOp((*devp2p.Server).RemoveTrustedPeer),
	"admin_subscribe":         subscribe,
	"admin_unsubscribe":       unsubscribe,
	"rpc_modules":             noArgs(func(*Server) any { return modules }),
	"devp2p_table":            noArgs(func(s *Server) any { return tableOf(s.p2p) }),
	"devp2p_dialStats":        noArgs(func(s *Server) any { return dialStatsOf(s.p2p.DialStats()) }),
	"devp2p_verdicts":         noArgs(func(s *Server) any { return s.verdicts.list() }),
}

// modules is rpc_modules' answer: the namespaces served and their versions.
var modules = map[string]string{"admin": "1.0", "devp2p": "1.0", "rpc": "1.0"}

// dispatch runs req and returns its result.
func (s *Server) dispatch(c *call, req *Request) (any, *Error) {
	m, ok := methods[req.Method]
	if !ok {
		return nil, errorf(CodeMethodNotFound, "the method %s does not exist/is not available", req.Method)
	}
	args, err := positional(req.Params)
	if err != nil {
		return nil, err
	}
	return m(s, c, args)
}

// positional splits params into arguments. Named parameters (an object)
// are not supported, as in go-ethereum.
func positional(params json.RawMessage) ([]json.RawMessage, *Error) {
	p := trimJSONSpace(params)
	if len(p) == 0 {
		return nil, nil
	}
	if p[0] != '[' {
		return nil, errorf(CodeInvalidParams, "invalid params: named parameters are not supported, pass an array")
	}
	var args []json.RawMessage
	if err := json.Unmarshal(p, &args); err != nil {
		return nil, errorf(CodeInvalidParams, "invalid params: %v", err)
	}
	return args, nil
}

func checkArgs(args []json.RawMessage, n int) *Error {
	switch {
	case len(args) > n:
		return errorf(CodeInvalidParams, "too many arguments, want at most %d", n)
	case len(args) < n:
		return errorf(CodeInvalidParams, "missing value for required argument %d", len(args))
	}
	return nil
}

// stringArg decodes argument i, which must be a JSON string.
func stringArg(args []json.RawMessage, i int) (string, *Error) {
	var s string
	if err := json.Unmarshal(args[i], &s); err != nil {
		return "", errorf(CodeInvalidParams, "invalid argument %d: want a string", i)
	}
	return s, nil
}

func noArgs(f func(*Server) any) method {
	return func(s *Server, _ *call, args []json.RawMessage) (any, *Error) {
		if err := checkArgs(args, 0); err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

// nodeOp is a method that takes an enode:// URL or an enr: record and
// returns true, as go-ethereum's admin_addPeer and its siblings do.
func nodeOp(op func(*devp2p.Server, *enode.Node)) method {
	return func(s *Server, _ *call, args []json.RawMessage) (any, *Error) {
		if err := checkArgs(args, 1); err != nil {
			return nil, err
		}
		url, err := stringArg(args, 0)
		if err != nil {
			return nil, err
		}
		n, perr := enode.Parse(enode.ValidSchemes, strings.TrimSpace(url))
		if perr != nil {
			return nil, errorf(CodeInvalidParams, "invalid enode: %v", perr)
		}
		op(s.p2p, n)
		return true, nil
	}
}

// peerEvents is the one subscription the admin namespace offers.
const peerEvents = "peerEvents"

func subscribe(s *Server, c *call, args []json.RawMessage) (any, *Error) {
	if c.conn == nil {
		// go-ethereum's answer to a subscription over HTTP.
		return nil, errorf(CodeMethodNotFound, "notifications not supported")
	}
	if err := checkArgs(args, 1); err != nil {
		return nil, err
	}
	kind, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	if kind != peerEvents {
		return nil, errorf(CodeInvalidParams, "no %q subscription in admin namespace (want %q)", kind, peerEvents)
	}
	id, serr := c.conn.subscribePeerEvents()
	if serr != nil {
		return nil, serr
	}
	return id, nil
}

func unsubscribe(s *Server, c *call, args []json.RawMessage) (any, *Error) {
	if c.conn == nil {
		return nil, errorf(CodeMethodNotFound, "notifications not supported")
	}
	if err := checkArgs(args, 1); err != nil {
		return nil, err
	}
	id, err := stringArg(args, 0)
	if err != nil {
		return nil, err
	}
	if !c.conn.unsubscribe(id) {
		return nil, errorf(CodeServerError, "subscription %s not found", id)
	}
	return true, nil
}

// marshalResult encodes a method's result. It cannot fail for the types
// above; if it does, the caller gets an internal error, not a panic.
func marshalResult(v any) (json.RawMessage, *Error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errorf(CodeInternalError, "internal error: %v", err)
	}
	return b, nil
}
