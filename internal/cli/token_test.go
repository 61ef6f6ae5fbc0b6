package cli

import (
	"testing"
	"time"
)

func TestTokenExpiresFlag(t *testing.T) {
	now := time.Date(2024, 11, 25, 2, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"":           {},
		"30d":        now.Add(30 * 24 * time.Hour),
		"2025-06-30": time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseExpiry(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0d", "-3d", "soon", "30"} {
		if _, err := parseExpiry(in, now); err == nil {
			t.Errorf("parseExpiry(%q) accepted", in)
		}
	}
}
