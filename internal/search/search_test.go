package search

import (
	"fmt"
	"testing"
)

func TestTerms(t *testing.T) {
	for text, want := range map[string]string{
		"成渝中线高铁":              "[成 成渝 渝 渝中 中 中线 线 线高 高 高铁 铁]",
		"中欧班列(成渝) CR Express": "[中 中欧 欧 欧班 班 班列 列 成 成渝 渝 cr express]",
		"2024年5G基站":           "[2024 年 5g 基 基站 站]",
		"":                    "[]",
		"铁铁":                  "[铁 铁铁]",
	} {
		if got := fmt.Sprint(Terms(text)); got != want && !(want == "[]" && got == "[]") {
			t.Errorf("Terms(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestQuery(t *testing.T) {
	for q, want := range map[string]string{
		"铁":     "[铁] true",
		"医药":    "[医药] true",
		"生物医药":  "[生物 物医 医药] false",
		"CR 班列": "[cr 班列] true",
	} {
		terms, exact := Query(q)
		if got := fmt.Sprint(terms, " ", exact); got != want {
			t.Errorf("Query(%q) = %s, want %s", q, got, want)
		}
	}
}
