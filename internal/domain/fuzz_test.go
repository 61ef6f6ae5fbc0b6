package domain

import "testing"

// FuzzParseDate: a date is accepted only when it exists and is written
// YYYY-MM-DD, and then it prints back exactly as given.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2023-02-29", "2024-13-01", "2024-06-31", "0000-01-01", "2024-6-1", "２０２４-０１-０１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q) prints back as %q", s, d.String())
		}
	})
}

// FuzzValidPeriod: an accepted period names a real month or quarter.
func FuzzValidPeriod(f *testing.F) {
	for _, s := range []string{"2023-05", "2023-Q2", "2023-Q5", "2023-13", "1899-01", "2023-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidPeriod(s) {
			return
		}
		if len(s) != 7 || (s[5] != 'Q' && (s[5] > '1' || (s[5] == '1' && s[6] > '2') || (s[5] == '0' && s[6] == '0'))) || (s[5] == 'Q' && (s[6] < '1' || s[6] > '4')) {
			t.Fatalf("ValidPeriod accepts %q", s)
		}
	})
}
