// Package wire is the federation's wire format: what one Liandong
// installation sends another and how the receiver checks it. A change to a
// shared record travels as an Event, signed by the sending installation in
// a C2SP signed note (an envelope); the envelopes from A to B form an
// append-only log whose leaves are the envelope bytes, and A signs
// checkpoints of that log in the C2SP tlog-checkpoint format. B, holding
// every leaf, recomputes the root, remembers what it accepted (Witness) and
// countersigns the checkpoint with a C2SP tlog-cosignature/v1 line: A's
// receipt. docs/FEDERATION.md describes the format for other
// implementations; testdata/vectors.txt holds its test vectors.
//
// The package keeps no state of its own and touches no storage: callers
// persist envelopes, signed checkpoints and the Witness.
package wire

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// logSeparator joins the sender's and the receiver's names in a log's
// origin line.
const logSeparator = "/to/"

// maxNameLen bounds an installation name, so that an origin line and a
// key name stay short enough for any log or note implementation.
const maxNameLen = 200

// ValidName reports why name cannot name an installation, or nil. A name is
// also a note key name (no whitespace, no "+") and must keep a log origin
// (sender + "/to/" + receiver) splittable in one way only: so it holds no
// "/to/", and neither starts with "to/" nor ends with "/to", which would
// let a "/to/" straddle the joint.
func ValidName(name string) error {
	switch {
	case name == "":
		return errors.New("installation name is empty")
	case len(name) > maxNameLen:
		return fmt.Errorf("installation name is %d bytes, more than %d", len(name), maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("installation name %q is not valid UTF-8", name)
	case strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return fmt.Errorf("installation name %q holds whitespace or a control character", name)
	case strings.Contains(name, "+"):
		return fmt.Errorf("installation name %q holds a +", name)
	case strings.Contains(name, logSeparator), strings.HasPrefix(name, "to/"), strings.HasSuffix(name, "/to"):
		return fmt.Errorf("installation name %q holds, starts or ends with the log separator %q", name, logSeparator)
	}
	return nil
}

// LogOrigin is the origin line of the log of envelopes that sender sends
// to receiver. Both must be valid names (ValidName); LogOrigin does not
// check, SplitLogOrigin does.
func LogOrigin(sender, receiver string) string {
	return sender + logSeparator + receiver
}

// SplitLogOrigin returns the sender and the receiver that a log's origin
// line names, or an error when the line is not LogOrigin of two distinct
// valid names.
func SplitLogOrigin(origin string) (sender, receiver string, err error) {
	sender, receiver, ok := strings.Cut(origin, logSeparator)
	if !ok {
		return "", "", fmt.Errorf("log origin %q has no %q", origin, logSeparator)
	}
	if err := ValidName(sender); err != nil {
		return "", "", fmt.Errorf("log origin %q: sender: %w", origin, err)
	}
	if err := ValidName(receiver); err != nil {
		return "", "", fmt.Errorf("log origin %q: receiver: %w", origin, err)
	}
	if sender == receiver {
		return "", "", fmt.Errorf("log origin %q: sender and receiver are the same installation", origin)
	}
	return sender, receiver, nil
}
