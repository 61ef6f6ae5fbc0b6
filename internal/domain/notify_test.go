package domain

import (
	"strings"
	"testing"
)

func TestMaskTargetKeepsOnlyWhereItGoes(t *testing.T) {
	for _, c := range []struct {
		kind         ChannelKind
		target, want string
	}{
		{WeComChannel, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a-secret", "https://qyapi.weixin.qq.com/…****"},
		{DingTalkChannel, "https://oapi.dingtalk.com/robot/send?access_token=abc", "https://oapi.dingtalk.com/…****"},
		{WebhookChannel, "https://user:pass@hooks.example.gov.cn/x", "https://hooks.example.gov.cn/…****"},
		{SMTPChannel, "zhang.san@cd.gov.cn, 李四 <li.si@cq.gov.cn>", "z****@cd.gov.cn, l****@cq.gov.cn"},
		{SMTPChannel, "not an address", "****"},
	} {
		if got := MaskTarget(c.kind, c.target); got != c.want {
			t.Errorf("MaskTarget(%s, %q) = %q, want %q", c.kind, c.target, got, c.want)
		}
	}
	msg := `post: Post "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a-secret": dial tcp: refused`
	if got := MaskURLs(msg); strings.Contains(got, "693a") || !strings.Contains(got, "qyapi.weixin.qq.com") {
		t.Errorf("MaskURLs left %q", got)
	}
}
