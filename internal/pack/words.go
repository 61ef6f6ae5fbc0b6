package pack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
)

// The words of the papers, in Chinese, the first language of the product.

func tierName(t domain.Tier) string {
	return map[domain.Tier]string{domain.Execution: "执行层", domain.Coordination: "协调层", domain.Decision: "决策层"}[t]
}

func statusName(s domain.ItemStatus) string {
	return map[domain.ItemStatus]string{domain.NotStarted: "未开工", domain.Advancing: "推进中", domain.Completed: "已完成",
		domain.Rescoped: "优化调整", domain.Paused: "暂停"}[s]
}

func lightName(l domain.Light) string {
	return map[domain.Light]string{domain.NoLight: "未评定", domain.Blue: "蓝灯", domain.Green: "绿灯", domain.Yellow: "黄灯", domain.Red: "红灯"}[l]
}

func formatName(f domain.MeetingFormat) string {
	return map[domain.MeetingFormat]string{domain.FormatNotRecorded: "未记录", domain.InPerson: "现场会议", domain.Video: "视频会议", domain.Hybrid: "现场与视频结合"}[f]
}

func kindName(k domain.AgreementKind) string {
	return map[domain.AgreementKind]string{domain.StrategicAgreement: "战略合作协议", domain.Memorandum: "合作备忘录",
		domain.ActionPlan: "行动方案", domain.CooperationProgram: "合作事项"}[k]
}

// heldOn writes a meeting's date as precisely as its source gives it.
func heldOn(m *domain.Meeting) string {
	if m.HeldOnPrecision == domain.MonthPrecision {
		return fmt.Sprintf("%d年%d月", m.HeldOn.Year(), int(m.HeldOn.Month()))
	}
	return longDate(m.HeldOn)
}

func longDate(d domain.Date) string {
	if d.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%d年%d月%d日", d.Year(), int(d.Month()), d.Day())
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// percent writes part of whole as a percentage with one decimal.
func percent(part, whole int) string {
	if whole == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 1, 64) + "%"
}

// firstLine is the Chinese half of a stored light reason.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// periodName writes a period key as a Chinese reader does: 2024-04 as
// 2024年4月, 2024-Q2 as 2024年第二季度.
func periodName(key string) string {
	if len(key) == 7 && key[4] == '-' {
		y, err1 := strconv.Atoi(key[:4])
		if key[5] == 'Q' {
			if q, err2 := strconv.Atoi(key[6:]); err1 == nil && err2 == nil {
				return fmt.Sprintf("%d年第%s季度", y, domain.ChineseNumeral(q))
			}
		} else if m, err2 := strconv.Atoi(key[5:]); err1 == nil && err2 == nil {
			return fmt.Sprintf("%d年%d月", y, m)
		}
	}
	return key
}

// officialNumber writes a figure as officials write it: whole numbers
// without decimals, ten thousands and above in 万 and 亿 (12500 is
// 1.25万, 200000000 is 2亿).
func officialNumber(v float64) string {
	abs := v
	if abs < 0 {
		abs = -abs
	}
	switch {
	case abs >= 1e8:
		return strconv.FormatFloat(roundTo(v/1e8, 2), 'f', -1, 64) + "亿"
	case abs >= 1e4:
		return strconv.FormatFloat(roundTo(v/1e4, 2), 'f', -1, 64) + "万"
	}
	return number(v)
}

func roundTo(v float64, places int) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', places, 64), 64)
	return f
}

// isoDay and periodKey find the dates and periods a stored text (a light's
// reason) writes in ISO form.
var (
	isoDay    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	periodKey = regexp.MustCompile(`\b\d{4}-(\d{2}|Q[1-4])\b`)
)

// chineseDates writes the ISO dates and period keys of a text as a
// Chinese reader does: 2024-05-31 as 2024年5月31日, 2024-04 as 2024年4月.
func chineseDates(s string) string {
	s = isoDay.ReplaceAllStringFunc(s, func(m string) string {
		d, err := domain.ParseDate(m)
		if err != nil {
			return m
		}
		return longDate(d)
	})
	return periodKey.ReplaceAllStringFunc(s, periodName)
}

// reasonWords is the Chinese half of a light's stored reason, without the
// light it repeats (红灯：…), its dates in Chinese.
func reasonWords(l domain.Light, reason string) string {
	r := strings.TrimPrefix(firstLine(reason), lightName(l)+"：")
	return chineseDates(r)
}
