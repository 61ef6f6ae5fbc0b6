package domain

import (
	"fmt"
	"strings"
)

// ChineseNumeral writes 1..99 as 一 … 九十九, as an official document
// numbers its sections and a meeting its sitting (第三次会议); other
// numbers stay in figures.
func ChineseNumeral(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	switch {
	case n < 0:
		return fmt.Sprint(n)
	case n < 10:
		return digits[n]
	case n < 20:
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	case n < 100:
		s := digits[n/10] + "十"
		if n%10 != 0 {
			s += digits[n%10]
		}
		return s
	}
	return fmt.Sprint(n)
}
