package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime"
)

// Version is the release this binary was built from. Builds set it with
// -ldflags "-X github.com/liandong/liandong/internal/cli.Version=v1.2.3";
// "dev" marks a build from a work tree.
var Version = "dev"

var versionCommand = &command{
	name:    "version",
	args:    "",
	summary: "print the version of this binary",
	help: `
Prints "liandong" with the release version, then the Go version and the
platform the binary was built for.`,
	setup: setupVersion,
}

func setupVersion(fs *flag.FlagSet, con *console) func(context.Context) error {
	return func(context.Context) error {
		fmt.Fprintf(con.stdout, "liandong %s\n%s %s/%s\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
}
