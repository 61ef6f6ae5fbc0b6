package server

import "runtime/debug"

// GCPercent is the garbage collector's target the server runs with: the
// heap may grow to five times what is live before a collection, where Go's
// default is twice. A page of the item list allocates about 200 KB, and at
// Go's default the collector took a fifth to a third of the server's CPU
// at national scale, where the live heap is about 27 MB
// (docs/PERFORMANCE.md, "The page of 50 at national scale"): the server
// may hold about 135 MB for it, which a working group's machine has.
const GCPercent = 400

// TuneGC sets the collector's target to GCPercent, unless GOGC is set in
// the environment getenv reads: the operator's choice stands. GOMEMLIMIT,
// when set, bounds the heap whatever the target.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
