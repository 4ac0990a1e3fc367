package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v3"
)

// Exit codes. 1 is every failure of the work itself; 2 is a command line
// that names no command, the convention of shells and most tools.
const (
	exitFailure        = 1
	exitUnknownCommand = 2
)

// exitError is an error with its own exit code.
type exitError struct {
	msg  string
	code int
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

// commandPath names cmd the way the user typed it, without the program
// name: "key generate". The root command has an empty path.
func commandPath(cmd *cli.Command) string {
	var names []string
	for c := cmd; c != nil && c.Root() != c; c = parentOf(c) {
		names = append([]string{c.Name}, names...)
	}
	return strings.Join(names, " ")
}

// parentOf returns the command that holds cmd.
func parentOf(cmd *cli.Command) *cli.Command {
	lineage := cmd.Lineage()
	if len(lineage) < 2 {
		return nil
	}
	return lineage[1]
}

// usageErrorf reports a problem with the command line itself, naming the
// command and where its help is.
func usageErrorf(cmd *cli.Command, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	path := commandPath(cmd)
	if path == "" {
		return fmt.Errorf("%s (see 'devp2p --help')", msg)
	}
	return fmt.Errorf("%s: %s (see 'devp2p %s --help')", path, msg, path)
}

// flagError reports a bad flag value by the flag and value the user typed.
func flagError(name string, value any, reason string) error {
	if s, ok := value.(string); ok {
		return fmt.Errorf("--%s %q: %s", name, s, reason)
	}
	return fmt.Errorf("--%s %v: %s", name, value, reason)
}

// fileError names the file the user gave instead of a name the library
// made up on the way (a temporary file, say), keeping the system's reason.
func fileError(op, file string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("%s %s: %v", op, file, err)
}

// errorLine formats an error for stderr: one line, one "devp2p: " prefix.
// The library prefixes its own errors with the package name, which the
// command's prefix makes redundant.
func errorLine(err error) string {
	msg := err.Error()
	for {
		rest, ok := strings.CutPrefix(msg, "devp2p: ")
		if !ok {
			break
		}
		msg = rest
	}
	msg = strings.ReplaceAll(msg, ": devp2p: ", ": ")
	msg = strings.TrimSpace(strings.ReplaceAll(msg, "\n", " "))
	return "devp2p: " + msg
}

// exitCode picks the process exit code for err.
func exitCode(err error) int {
	var coder cli.ExitCoder
	if errors.As(err, &coder) && coder.ExitCode() != 0 {
		return coder.ExitCode()
	}
	return exitFailure
}

// The flag parser's own wording names flags with one dash and shows the
// number parser's internals; these patterns put its errors in the words of
// the rest of the command.
var (
	badFlagValue  = regexp.MustCompile(`^invalid value "(.*)" for flag -{1,2}(\S+): (.*)$`)
	unknownFlag   = regexp.MustCompile(`^flag provided but not defined: -{1,2}(\S+)$`)
	flagNeedsArg  = regexp.MustCompile(`^flag needs an argument: -{1,2}(\S+)$`)
	strconvPrefix = regexp.MustCompile(`^strconv\.\w+: parsing "[^"]*": `)
)

// flagParseError rewrites an error of the flag parser, or returns nil when
// err is not one.
func flagParseError(cmd *cli.Command, err error) error {
	msg := err.Error()
	if m := badFlagValue.FindStringSubmatch(msg); m != nil {
		return flagError(m[2], m[1], valueWanted(cmd, m[2], m[3]))
	}
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		return usageErrorf(cmd, "unknown flag --%s", m[1])
	}
	if m := flagNeedsArg.FindStringSubmatch(msg); m != nil {
		return usageErrorf(cmd, "--%s needs a value", m[1])
	}
	return nil
}

// valueWanted says what a flag takes, from its type.
func valueWanted(cmd *cli.Command, name, reason string) string {
	for _, c := range cmd.Lineage() {
		for _, f := range c.Flags {
			if !slices.Contains(f.Names(), name) {
				continue
			}
			switch f.(type) {
			case *cli.IntFlag:
				return "want an integer"
			case *cli.Uint64Flag:
				return "want a non-negative integer"
			case *cli.DurationFlag:
				return "want a duration such as 500ms, 30s or 5m"
			case *cli.BoolFlag:
				return "want true or false"
			}
		}
	}
	return strconvPrefix.ReplaceAllString(reason, "")
}
