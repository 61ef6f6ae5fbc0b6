package wire

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, tc := range []struct {
		name, reason string // reason "" when valid
	}{
		{chengdu, ""},
		{"liandong/成都/ab12", ""},
		{"a", ""},
		{strings.Repeat("a", 200), ""},
		{"", "empty"},
		{strings.Repeat("a", 201), "more than 200"},
		{"liandong/chengdu gov/1", "whitespace"},
		{"liandong/chengdu\tgov/1", "whitespace"},
		{"liandong/chengdu+gov/1", "+"},
		{"liandong/to/chengdu", "separator"},
		{"to/chengdu", "separator"},
		{"liandong/to", "separator"},
		{"liandong/\xff", "UTF-8"},
	} {
		err := ValidName(tc.name)
		if tc.reason == "" && err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", tc.name, err)
		}
		if tc.reason != "" && (err == nil || !strings.Contains(err.Error(), tc.reason)) {
			t.Errorf("ValidName(%q) = %v, want an error saying %q", tc.name, err, tc.reason)
		}
	}
}

// TestLogOriginSplitsBackIntoItsNames: every pair of valid names comes
// back from its origin line as it went in, names with a "to" segment
// next to the joint included.
func TestLogOriginSplitsBackIntoItsNames(t *testing.T) {
	names := []string{chengdu, chongqing, "a/t", "t/o", "a/tox", "xto/b", "liandong/o/to1"}
	for _, sender := range names {
		for _, receiver := range names {
			if sender == receiver {
				continue
			}
			gotSender, gotReceiver, err := SplitLogOrigin(LogOrigin(sender, receiver))
			if err != nil || gotSender != sender || gotReceiver != receiver {
				t.Errorf("SplitLogOrigin(LogOrigin(%q, %q)) = %q, %q, %v", sender, receiver, gotSender, gotReceiver, err)
			}
		}
	}
}

func TestSplitLogOriginRefuses(t *testing.T) {
	for _, origin := range []string{
		chengdu,                     // no separator
		LogOrigin(chengdu, chengdu), // a log to oneself
		LogOrigin(chengdu, ""),
		LogOrigin("", chongqing),
		LogOrigin(chengdu, "bad name"),
		"x/to/to/y", // would be x/to + to/y or x + to/y
	} {
		if s, r, err := SplitLogOrigin(origin); err == nil {
			t.Errorf("SplitLogOrigin(%q) = %q, %q, nil; want an error", origin, s, r)
		}
	}
}
