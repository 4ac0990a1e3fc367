package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification#error_object).
const (
	CodeParseError     = -32700 // the message is not JSON
	CodeInvalidRequest = -32600 // JSON, but not a JSON-RPC 2.0 request
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternalError  = -32603
	// CodeServerError is the code of a method's own failures, the one
	// go-ethereum uses for them.
	CodeServerError = -32000
)

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return fmt.Sprintf("%s (code %d)", e.Message, e.Code) }

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Request is one decoded JSON-RPC 2.0 call.
type Request struct {
	// ID is the request's id as it appeared (a string, a number or null);
	// nil for a notification, which gets no response.
	ID     json.RawMessage
	Method string
	// Params is the params member: nil when absent, else a JSON array or
	// object.
	Params json.RawMessage
}

// IsNotification reports whether the request wants no response.
func (r *Request) IsNotification() bool { return r.ID == nil }

// response is a JSON-RPC 2.0 response. Exactly one of Result and Error is
// set; Result holds "null" for a call that returns nothing.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

var nullID = json.RawMessage("null")

func errorResponse(id json.RawMessage, err *Error) *response {
	if id == nil {
		id = nullID
	}
	return &response{JSONRPC: "2.0", ID: id, Error: err}
}

// Batch is a decoded message: a single request or a batch of them. An
// element of a batch that is not a valid request is kept as its error, to
// be answered in its place.
type Batch struct {
	IsBatch bool
	Calls   []Call
}

// Call is one element of a message: a request, or the error that answers
// an invalid one.
type Call struct {
	Req *Request
	Err *Error
}

// Limits of DecodeRequest, applied to every message.
type Limits struct {
	MaxBatch int // most requests in one batch
}

var errEmptyBatch = errors.New("empty batch")

// DecodeRequest decodes one JSON-RPC 2.0 message: a request object or a
// batch (a JSON array of them). A message that is not JSON is a parse error
// (-32700); one that is not a request, an empty batch, or a batch longer
// than lim.MaxBatch is an invalid request (-32600). Invalid elements of a
// batch are returned as calls that carry their error. Unknown members of a
// request are refused, as are a "jsonrpc" other than "2.0", a non-string
// method, params that are neither an array nor an object, and an id that is
// not a string, a number or null.
func DecodeRequest(msg []byte, lim Limits) (*Batch, *Error) {
	msg = trimJSONSpace(msg)
	if !json.Valid(msg) {
		return nil, errorf(CodeParseError, "parse error: the message is not valid JSON")
	}
	if len(msg) > 0 && msg[0] == '[' {
		var elems []json.RawMessage
		if err := json.Unmarshal(msg, &elems); err != nil {
			return nil, errorf(CodeParseError, "parse error: %v", err)
		}
		switch {
		case len(elems) == 0:
			return nil, errorf(CodeInvalidRequest, "invalid request: %v", errEmptyBatch)
		case lim.MaxBatch > 0 && len(elems) > lim.MaxBatch:
			return nil, errorf(CodeInvalidRequest, "invalid request: batch of %d requests, at most %d allowed", len(elems), lim.MaxBatch)
		}
		b := &Batch{IsBatch: true, Calls: make([]Call, len(elems))}
		for i, e := range elems {
			req, err := decodeOne(e)
			b.Calls[i] = Call{Req: req, Err: err}
		}
		return b, nil
	}
	req, err := decodeOne(msg)
	return &Batch{Calls: []Call{{Req: req, Err: err}}}, nil
}

// wireRequest is a request as it appears in JSON; pointers tell absent
// members from null ones.
type wireRequest struct {
	JSONRPC *string         `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  *string         `json:"method"`
	Params  json.RawMessage `json:"params"`
}

// decodeOne decodes one request object of valid JSON.
func decodeOne(msg json.RawMessage) (*Request, *Error) {
	if len(msg) == 0 || msg[0] != '{' {
		return nil, errorf(CodeInvalidRequest, "invalid request: want a JSON object")
	}
	var w wireRequest
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, errorf(CodeInvalidRequest, "invalid request: %v", err)
	}
	if w.ID != nil && !validID(w.ID) {
		return nil, errorf(CodeInvalidRequest, "invalid request: id must be a string, a number or null")
	}
	switch {
	case w.JSONRPC == nil || *w.JSONRPC != "2.0":
		return &Request{ID: w.ID}, errorf(CodeInvalidRequest, `invalid request: "jsonrpc" must be "2.0"`)
	case w.Method == nil || *w.Method == "":
		return &Request{ID: w.ID}, errorf(CodeInvalidRequest, `invalid request: "method" must be a non-empty string`)
	}
	if p := trimJSONSpace(w.Params); bytes.Equal(p, nullID) {
		// Not structured, as JSON-RPC 2.0 wants, but some clients send it
		// for "no params"; taken as such.
		w.Params = nil
	} else if w.Params != nil {
		if len(p) == 0 || (p[0] != '[' && p[0] != '{') {
			return &Request{ID: w.ID}, errorf(CodeInvalidRequest, `invalid request: "params" must be an array or an object`)
		}
	}
	return &Request{ID: w.ID, Method: *w.Method, Params: w.Params}, nil
}

// validID: a string, a number or null (JSON-RPC 2.0, "Request object").
func validID(id json.RawMessage) bool {
	id = trimJSONSpace(id)
	if len(id) == 0 {
		return false
	}
	switch c := id[0]; {
	case c == '"', c == 'n', c == '-', c >= '0' && c <= '9':
		return true
	}
	return false
}

// trimJSONSpace trims the whitespace JSON allows (RFC 8259, section 2),
// and no other: bytes.TrimSpace would also take form feeds and Unicode
// spaces, turning invalid messages into valid ones.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }
