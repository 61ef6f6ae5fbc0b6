// Command liandong is the Liandong server and its administration tool; run
// it without arguments for the list of commands. Everything but the wiring
// of the process lives in internal/cli.
package main

import (
	"os"

	"github.com/liandong/liandong/internal/cli"

	// Time zones must work on servers and containers without a tzdata
	// package: periods are computed in each mechanism's zone.
	_ "time/tzdata"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
