package admin

import "bufio"

// jsonSplitter is a bufio.SplitFunc state that cuts a byte stream into
// top-level JSON values, the framing of go-ethereum's IPC: clients write
// requests back to back, with or without newlines between them. It does
// not validate (DecodeRequest does); it only finds where an object or array
// ends by counting brackets outside strings. Anything else up to the next
// whitespace is one token, to be answered with an error. The scan resumes
// where the last call stopped, so a large message that arrives in small
// pieces costs linear time; bufio.Scanner's buffer limit bounds the size.
type jsonSplitter struct {
	started bool // a token has begun at data[start]
	scalar  bool // it is not an object or array
	start   int  // where the token begins, after whitespace
	pos     int  // bytes of data scanned so far
	depth   int
	inStr   bool
	esc     bool
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *jsonSplitter) split(data []byte, atEOF bool) (int, []byte, error) {
	if !s.started {
		// The whitespace is skipped in the same call as the token
		// after it: bufio.Scanner reads more input whenever a call
		// returns no token, even when the buffer holds one.
		i := 0
		for i < len(data) && isSpace(data[i]) {
			i++
		}
		if i == len(data) {
			return i, nil, nil
		}
		s.started, s.start, s.pos = true, i, i
		s.scalar = data[i] != '{' && data[i] != '['
	}
	for ; s.pos < len(data); s.pos++ {
		c := data[s.pos]
		switch {
		case s.scalar:
			if isSpace(c) {
				return s.emit(data, s.pos)
			}
		case s.inStr:
			switch {
			case s.esc:
				s.esc = false
			case c == '\\':
				s.esc = true
			case c == '"':
				s.inStr = false
			}
		case c == '"':
			s.inStr = true
		case c == '{' || c == '[':
			s.depth++
		case c == '}' || c == ']':
			if s.depth--; s.depth == 0 {
				return s.emit(data, s.pos+1)
			}
		}
	}
	if atEOF {
		return s.emit(data, len(data)) // truncated: a parse error
	}
	return 0, nil, nil
}

func (s *jsonSplitter) emit(data []byte, n int) (int, []byte, error) {
	tok := data[s.start:n]
	*s = jsonSplitter{}
	return n, tok, nil
}

var _ bufio.SplitFunc = new(jsonSplitter).split
