package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

var enrCommand = &cli.Command{
	Name:  "enr",
	Usage: "work with Ethereum node records (EIP-778)",
	Commands: []*cli.Command{
		{
			Name:      "decode",
			Usage:     "show every field of a node record, its node ID and whether its signature is valid",
			ArgsUsage: "<enr:... | enode://... | FILE>",
			Description: "The record is given as its text form (enr:...), as an enode URL, or as a file\n" +
				"holding the text form, the RLP in hex, or the RLP bytes. A file named '-' is\n" +
				"standard input. An enode URL is an unsigned record; a record whose signature\n" +
				"does not verify is shown, flagged INVALID, and the command exits 1.",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "json", Usage: "print JSON instead of text"},
			},
			Action: enrDecode,
		},
	},
}

// maxRecordFile bounds what enr decode reads from a file: a record is at most
// 300 bytes (EIP-778), so anything much larger is not a record.
const maxRecordFile = 64 << 10

// decodedRecord is what enr decode prints.
type decodedRecord struct {
	Text      string         `json:"enr,omitempty"`
	URL       string         `json:"enode,omitempty"`
	NodeID    string         `json:"id,omitempty"`
	Seq       uint64         `json:"seq"`
	Scheme    string         `json:"identityScheme,omitempty"`
	Signature string         `json:"signature,omitempty"`
	Verified  bool           `json:"signatureValid"`
	Unsigned  bool           `json:"unsigned,omitempty"` // from an enode URL, which carries no signature
	VerifyErr string         `json:"signatureError,omitempty"`
	Size      int            `json:"size"`
	Fields    []decodedField `json:"fields"`
}

type decodedField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Raw   string `json:"raw"`
}

func enrDecode(_ context.Context, cmd *cli.Command) error {
	arg, err := oneArg(cmd, "<enr|file>")
	if err != nil {
		return err
	}
	rec, url, err := readRecordArg(arg)
	if err != nil {
		return err
	}
	out := describeRecord(rec)
	if url != "" {
		// The record made from a URL has no signature to check, which
		// is not the same as a signature that does not verify.
		out.Unsigned, out.VerifyErr, out.URL = true, "", url
	}
	if cmd.Bool("json") {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printRecord(os.Stdout, out)
	}
	if !out.Verified && !out.Unsigned {
		return fmt.Errorf("record signature INVALID: %s", out.VerifyErr)
	}
	return nil
}

// readRecordArg turns the command's argument into a record, without checking
// its signature (describeRecord reports on that). When the argument is an
// enode URL, the record made from it has no signature and url is the URL.
func readRecordArg(arg string) (rec *enr.Record, url string, err error) {
	// Spaces around a pasted record are not part of it; around a file
	// name they may be.
	text := strings.TrimSpace(arg)
	if !strings.HasPrefix(text, "enr:") && !strings.HasPrefix(text, "enode://") {
		data, err := readSmallFile(arg, maxRecordFile)
		if err != nil {
			return nil, "", err
		}
		text = strings.TrimSpace(string(data))
		if !strings.HasPrefix(text, "enr:") && !strings.HasPrefix(text, "enode://") {
			if raw, err := hex.DecodeString(strings.TrimPrefix(text, "0x")); err == nil && len(raw) > 0 {
				rec, err := decodeRecordRLP(raw)
				return rec, "", err
			}
			rec, err := decodeRecordRLP(data)
			return rec, "", err
		}
	}
	if strings.HasPrefix(text, "enode://") {
		n, err := enode.ParseV4(text)
		if err != nil {
			return nil, "", fmt.Errorf("invalid enode URL: %w", err)
		}
		return n.Record(), n.URLv4(), nil
	}
	rec, err = parseRecordText(text)
	return rec, "", err
}

func parseRecordText(text string) (*enr.Record, error) {
	rec, err := enr.ParseTextUnverified(text)
	if err != nil {
		return nil, fmt.Errorf("invalid record: %w", err)
	}
	return rec, nil
}

func decodeRecordRLP(b []byte) (*enr.Record, error) {
	rec, err := enr.DecodeRecordUnverified(b)
	if err != nil {
		return nil, fmt.Errorf("invalid record: %w", err)
	}
	return rec, nil
}

// readSmallFile reads a file (or stdin for "-") of at most limit bytes.
func readSmallFile(name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%q is neither a record (enr:..., enode://...) nor an existing file", name)
			}
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return data, nil
}

func describeRecord(rec *enr.Record) decodedRecord {
	out := decodedRecord{
		Seq:       rec.Seq(),
		Scheme:    rec.IdentityScheme(),
		Signature: hex.EncodeToString(rec.Signature()),
		Size:      rec.Size(),
	}
	if text, err := rec.Text(); err == nil && len(rec.Signature()) > 0 {
		out.Text = text
	}
	if err := rec.VerifySignature(enode.ValidSchemes); err != nil {
		out.VerifyErr = err.Error()
	} else {
		out.Verified = true
	}
	if scheme, ok := enode.ValidSchemes[out.Scheme]; ok {
		if id := scheme.NodeAddr(rec); len(id) == len(enode.ID{}) {
			out.NodeID = hex.EncodeToString(id)
		}
	}
	if n, err := enode.New(enode.ValidSchemes, rec); err == nil {
		out.URL = n.URLv4()
	}
	for key, raw := range rec.Pairs() {
		out.Fields = append(out.Fields, decodedField{Key: key, Value: formatEntry(key, raw), Raw: hex.EncodeToString(raw)})
	}
	return out
}

// formatEntry renders the value of a well-known key readably and anything
// else as its RLP structure.
func formatEntry(key string, raw rlp.RawValue) string {
	var (
		s   string
		err error
	)
	switch key {
	case "ip":
		var v enr.IPv4
		err = rlp.DecodeBytes(raw, &v)
		s = v.Addr().String()
	case "ip6":
		var v enr.IPv6
		err = rlp.DecodeBytes(raw, &v)
		s = v.Addr().String()
	case "tcp", "udp", "tcp6", "udp6", "quic", "quic6":
		var v uint16
		err = rlp.DecodeBytes(raw, &v)
		s = fmt.Sprint(v)
	case "id":
		var v string
		err = rlp.DecodeBytes(raw, &v)
		s = v
	case "secp256k1":
		var v []byte
		err = rlp.DecodeBytes(raw, &v)
		s = hex.EncodeToString(v)
	default:
		s = formatRLP(raw)
	}
	if err != nil {
		return fmt.Sprintf("invalid (%v): %x", err, []byte(raw))
	}
	return s
}

// formatRLP shows an RLP value's structure: strings as hex, lists in brackets.
func formatRLP(b []byte) string {
	kind, content, _, err := rlp.Split(b)
	if err != nil {
		return fmt.Sprintf("invalid RLP %x", b)
	}
	if kind != rlp.List {
		return "0x" + hex.EncodeToString(content)
	}
	var parts []string
	for rest := content; len(rest) > 0; {
		_, _, next, err := rlp.Split(rest)
		if err != nil {
			return fmt.Sprintf("invalid RLP %x", b)
		}
		parts = append(parts, formatRLP(rest[:len(rest)-len(next)]))
		rest = next
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func printRecord(w io.Writer, r decodedRecord) {
	if r.Text != "" {
		fmt.Fprintf(w, "Record      %s\n", r.Text)
	}
	if r.NodeID != "" {
		fmt.Fprintf(w, "Node ID     %s\n", r.NodeID)
	}
	if r.URL != "" {
		fmt.Fprintf(w, "URLv4       %s\n", r.URL)
	}
	fmt.Fprintf(w, "Seq         %d\n", r.Seq)
	fmt.Fprintf(w, "Size        %d bytes\n", r.Size)
	switch {
	case r.Verified:
		fmt.Fprintf(w, "Signature   valid (%s) %s\n", r.Scheme, r.Signature)
	case r.Unsigned:
		fmt.Fprintf(w, "Signature   none (an enode URL is an unsigned record)\n")
	default:
		fmt.Fprintf(w, "Signature   INVALID: %s\n", r.VerifyErr)
	}
	fmt.Fprintln(w, "Fields:")
	for _, f := range r.Fields {
		fmt.Fprintf(w, "  %-10s %s\n", f.Key, f.Value)
	}
}
