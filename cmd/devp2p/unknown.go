package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v3"
)

// unknownCommand remembers a command name that matched no command. The
// command library reports it through a callback that cannot fail the run,
// so runApp turns it into an error after the run.
type unknownCommand struct {
	parent *cli.Command
	name   string
}

// record is the library's CommandNotFound callback.
func (u *unknownCommand) record(_ context.Context, parent *cli.Command, name string) {
	if u.parent == nil {
		u.parent, u.name = parent, name
	}
}

// err is the error for the recorded name, nil when every name matched: it
// lists the commands there are and exits 2.
func (u *unknownCommand) err() error {
	if u.parent == nil {
		return nil
	}
	var names []string
	for _, c := range u.parent.VisibleCommands() {
		if c.Name != "help" && c.Name != "completion" {
			names = append(names, c.Name)
		}
	}
	where := commandPath(u.parent)
	msg := fmt.Sprintf("unknown command %q (commands: %s; see 'devp2p --help')", u.name, strings.Join(names, ", "))
	if where != "" {
		msg = fmt.Sprintf("%s: unknown command %q (commands: %s; see 'devp2p %s --help')", where, u.name, strings.Join(names, ", "), where)
	}
	return &exitError{msg: msg, code: exitUnknownCommand}
}
