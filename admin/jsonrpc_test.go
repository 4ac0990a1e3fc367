package admin

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDecodeRequest: what the decoder accepts and how it reports the rest.
func TestDecodeRequest(t *testing.T) {
	lim := Limits{MaxBatch: 2}
	tests := []struct {
		msg      string
		code     int    // of the message, 0 if it decodes
		elemCode []int  // per call, 0 for a valid request
		id       string // of the first call
		params   string
	}{
		{msg: `{"jsonrpc":"2.0","id":1,"method":"m"}`, elemCode: []int{0}, id: "1"},
		{msg: ` {"jsonrpc":"2.0","id":"x","method":"m","params":[1]} `, elemCode: []int{0}, id: `"x"`, params: "[1]"},
		{msg: `{"jsonrpc":"2.0","id":null,"method":"m","params":{}}`, elemCode: []int{0}, id: "null", params: "{}"},
		{msg: `{"jsonrpc":"2.0","method":"m","params":null}`, elemCode: []int{0}},
		{msg: `{"jsonrpc":"2.0","id":-1.5e3,"method":"m"}`, elemCode: []int{0}, id: "-1.5e3"},
		{msg: `[{"jsonrpc":"2.0","id":1,"method":"m"},5]`, elemCode: []int{0, CodeInvalidRequest}, id: "1"},
		{msg: ``, code: CodeParseError},
		{msg: `{`, code: CodeParseError},
		{msg: `{"a":1}{"b":2}`, code: CodeParseError},
		{msg: "\xff", code: CodeParseError},
		{msg: "\f0", code: CodeParseError}, // not JSON whitespace (found by the fuzzer)
		{msg: "\u00a0{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"}", code: CodeParseError},
		{msg: `[]`, code: CodeInvalidRequest},
		{msg: `[1,2,3]`, code: CodeInvalidRequest},
		{msg: `null`, elemCode: []int{CodeInvalidRequest}},
		{msg: `{"jsonrpc":"2.0","id":true,"method":"m"}`, elemCode: []int{CodeInvalidRequest}},
		{msg: `{"jsonrpc":"2.0","id":[1],"method":"m"}`, elemCode: []int{CodeInvalidRequest}},
		{msg: `{"jsonrpc":2,"id":1,"method":"m"}`, elemCode: []int{CodeInvalidRequest}},
		{msg: `{"jsonrpc":"2.0","id":1,"method":""}`, elemCode: []int{CodeInvalidRequest}, id: "1"},
		{msg: `{"jsonrpc":"2.0","id":1,"method":"m","params":1}`, elemCode: []int{CodeInvalidRequest}, id: "1"},
		{msg: `{"jsonrpc":"2.0","id":1,"method":"m","result":1}`, elemCode: []int{CodeInvalidRequest}},
	}
	for _, tt := range tests {
		b, err := DecodeRequest([]byte(tt.msg), lim)
		if tt.code != 0 {
			if err == nil || err.Code != tt.code || b != nil {
				t.Errorf("%q: got %v, %v; want code %d", tt.msg, b, err, tt.code)
			}
			continue
		}
		if err != nil || len(b.Calls) != len(tt.elemCode) || b.IsBatch != strings.HasPrefix(tt.msg, "[") {
			t.Errorf("%q: got %+v, %v", tt.msg, b, err)
			continue
		}
		for i, code := range tt.elemCode {
			c := b.Calls[i]
			switch {
			case code == 0 && (c.Err != nil || c.Req == nil || c.Req.Method != "m"):
				t.Errorf("%q call %d: %+v %v", tt.msg, i, c.Req, c.Err)
			case code != 0 && (c.Err == nil || c.Err.Code != code):
				t.Errorf("%q call %d: %v, want code %d", tt.msg, i, c.Err, code)
			}
		}
		if c := b.Calls[0]; c.Req != nil && (string(c.Req.ID) != tt.id || string(c.Req.Params) != tt.params) {
			t.Errorf("%q: id %q params %q, want %q %q", tt.msg, c.Req.ID, c.Req.Params, tt.id, tt.params)
		}
	}
}

// FuzzDecodeRequest: no input makes the decoder panic, and what it returns
// is consistent: a message error xor calls, each call a request with a
// method or an error, an id that is a JSON scalar, and params that are an
// array or an object.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"admin_peers"}`,
		`{"jsonrpc":"2.0","id":"a","method":"admin_addPeer","params":["enode://x"]}`,
		`[{"jsonrpc":"2.0","id":1,"method":"rpc_modules"},{"jsonrpc":"2.0","method":"n"}]`,
		`{"jsonrpc":"2.0","method":"m","params":{"a":[1,{"b":null}]}}`,
		`[]`, `{`, `null`, `"x"`, `[1,[2]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		b, err := DecodeRequest(msg, Limits{MaxBatch: 100})
		if (b == nil) == (err == nil) {
			t.Fatalf("batch %v and error %v", b, err)
		}
		if err != nil {
			if err.Code != CodeParseError && err.Code != CodeInvalidRequest {
				t.Fatalf("message error code %d", err.Code)
			}
			if err.Code == CodeParseError && json.Valid(msg) {
				t.Fatalf("parse error for valid JSON %q", msg)
			}
			return
		}
		if !json.Valid(msg) || len(b.Calls) == 0 || len(b.Calls) > 100 {
			t.Fatalf("decoded %q into %d calls", msg, len(b.Calls))
		}
		for _, c := range b.Calls {
			if c.Err != nil {
				if c.Err.Code != CodeInvalidRequest {
					t.Fatalf("call error code %d", c.Err.Code)
				}
				continue
			}
			r := c.Req
			if r == nil || r.Method == "" {
				t.Fatalf("call without method: %+v", c)
			}
			if r.ID != nil && (!json.Valid(r.ID) || !validID(r.ID)) {
				t.Fatalf("bad id %q", r.ID)
			}
			if r.Params != nil {
				var v any
				if json.Unmarshal(r.Params, &v) != nil {
					t.Fatalf("params %q not JSON", r.Params)
				}
				switch v.(type) {
				case []any, map[string]any:
				default:
					t.Fatalf("params %q neither array nor object", r.Params)
				}
			}
		}
	})
}
