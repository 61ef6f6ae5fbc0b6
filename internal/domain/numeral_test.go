package domain

import "testing"

func TestChineseNumeral(t *testing.T) {
	for n, want := range map[int]string{1: "一", 3: "三", 10: "十", 11: "十一", 20: "二十", 34: "三十四", 99: "九十九", 100: "100", 0: "零"} {
		if got := ChineseNumeral(n); got != want {
			t.Errorf("ChineseNumeral(%d) = %q, want %q", n, got, want)
		}
	}
}
