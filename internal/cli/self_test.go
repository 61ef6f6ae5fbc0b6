package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSelfCommand: the demo's hints print a command that runs: the name on
// PATH when it is this binary, go run for a binary go run built, the
// binary's path otherwise.
func TestSelfCommand(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "liandong")
	other := filepath.Join(dir, "other-liandong")
	for _, f := range []string{bin, other} {
		if err := os.WriteFile(f, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, exe, onPath, want string
	}{
		{"OnPath", bin, bin, "liandong"},
		{"GoRun", "/tmp/go-build123456/b001/exe/liandong", "", "go run ./cmd/liandong"},
		{"GoRunWithAnotherOnPath", "/tmp/go-build123456/b001/exe/liandong", other, "go run ./cmd/liandong"},
		{"BuiltHereNotOnPath", bin, "", bin},
		{"BuiltHereAnotherOnPath", bin, other, bin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := selfCommandFor(c.exe, c.onPath); got != c.want {
				t.Errorf("selfCommandFor(%q, %q) = %q, want %q", c.exe, c.onPath, got, c.want)
			}
		})
	}
}
