package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v3"
)

// moduleVersion is the version of the module the binary was built from:
// a release tag for 'go install ...@v1.2.3', "(devel)" for a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(unknown)"
}

// printVersion prints what --version shows: the module version and the
// VCS revision the Go toolchain recorded in the binary.
func printVersion(cmd *cli.Command) {
	w := cmd.Root().Writer
	fmt.Fprintf(w, "devp2p   %s\n", moduleVersion())
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(w, "revision unknown (no build information in the binary)")
		return
	}
	fmt.Fprintf(w, "module   %s\n", bi.Main.Path)
	var revision, modified, when string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = " (modified)"
			}
		case "vcs.time":
			when = s.Value
		}
	}
	if revision == "" {
		fmt.Fprintln(w, "revision unknown (built without VCS information, e.g. with -buildvcs=false)")
	} else {
		fmt.Fprintf(w, "revision %s%s\n", revision, modified)
		if when != "" {
			fmt.Fprintf(w, "time     %s\n", when)
		}
	}
	fmt.Fprintf(w, "go       %s %s/%s\n", bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}
