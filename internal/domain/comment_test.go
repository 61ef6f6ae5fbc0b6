package domain

import (
	"slices"
	"strings"
	"testing"
)

func TestResolveMentions(t *testing.T) {
	units := []Mentionable{
		{ID: 1, Names: []string{"成都市交通运输局", "Chengdu Transport Bureau", "成都市交通局"}},
		{ID: 2, Names: []string{"成都市", "Chengdu"}},
		{ID: 3, Names: []string{"重庆市交通运输委员会", "Chongqing Transport Commission"}},
	}
	for _, tc := range []struct {
		name, body string
		want       []int64
		refused    string // a text the refusal holds, "" when none
	}{
		{"LongestNameWins", "请@成都市交通运输局月底前反馈", []int64{1}, ""},
		{"AliasAndShortName", "@成都市交通局 与 @成都市 协调", []int64{1, 2}, ""},
		{"EnglishAnyCase", "ask @chengdu transport bureau and @Chongqing Transport Commission", []int64{1, 3}, ""},
		{"FullWidthAt", "＠重庆市交通运输委员会，请回复", []int64{3}, ""},
		{"OnceEach", "@成都市交通局 @成都市交通运输局", []int64{1}, ""},
		{"MailIsNoMention", "write to liaison@example.gov.cn", []int64{}, ""},
		{"UnknownNamed", "请 @重庆市交通局 回复", nil, "“重庆市交通局”"},
		{"UnknownWithClosest", "@重庆市交通委员会", nil, "重庆市交通运输委员会"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ResolveMentions("body", tc.body, units)
			if tc.refused != "" {
				if err == nil || !strings.Contains(ErrorFields(err)[0].Reason, tc.refused) {
					t.Fatalf("err = %v, want a refusal holding %s", err, tc.refused)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
