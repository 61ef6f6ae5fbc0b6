package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/liandong/liandong/internal/domain"
)

// SignatureHeader carries the HMAC-SHA256 of a generic webhook's body,
// keyed with the channel's secret: "sha256=<hex>".
const SignatureHeader = "X-Liandong-Signature"

// Sign returns the value of SignatureHeader for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookBody is the generic webhook's JSON body.
type WebhookBody struct {
	Event       string    `json:"event"` // "reminder", or "checkpoint" when Text is a signed checkpoint of the audit log
	Key         string    `json:"key"`
	Kind        string    `json:"kind"`
	MechanismID int64     `json:"mechanism_id"`
	Subject     string    `json:"subject"`
	Text        string    `json:"text"`
	SentAt      time.Time `json:"sent_at"`
}

func (n *Notifier) send(ctx context.Context, c *domain.NotificationChannel, r Reminder) error {
	switch c.Kind {
	case domain.SMTPChannel:
		return n.sendMail(c, r)
	case domain.WebhookChannel:
		kind, _, _ := strings.Cut(r.Key, "/")
		event := "reminder"
		if kind == CheckpointKind {
			event = CheckpointKind
		}
		body, _ := json.Marshal(WebhookBody{Event: event, Key: r.Key, Kind: kind, MechanismID: r.MechanismID, Subject: r.Subject, Text: r.Text, SentAt: time.Now().UTC()})
		h := http.Header{}
		if c.Secret != "" {
			h.Set(SignatureHeader, Sign(c.Secret, body))
		}
		return n.post(ctx, c.Target, body, h, nil)
	case domain.WeComChannel:
		// https://developer.work.weixin.qq.com/document/path/91770
		body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{"content": r.Subject + "\n" + r.Text}})
		return n.post(ctx, c.Target, body, nil, robotError("errcode", "errmsg"))
	case domain.DingTalkChannel:
		// https://open.dingtalk.com/document/robots/custom-robot-access;
		// with a secret, sign timestamp+"\n"+secret and add both to the URL.
		target := c.Target
		if c.Secret != "" {
			ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
			m := hmac.New(sha256.New, []byte(c.Secret))
			m.Write([]byte(ts + "\n" + c.Secret))
			sep := "?"
			if strings.Contains(target, "?") {
				sep = "&"
			}
			target += sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
		}
		body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{"content": r.Subject + "\n" + r.Text}})
		return n.post(ctx, target, body, nil, robotError("errcode", "errmsg"))
	case domain.FeishuChannel:
		// https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot;
		// with a secret, the key is timestamp+"\n"+secret over an empty message.
		msg := map[string]any{"msg_type": "text", "content": map[string]any{"text": r.Subject + "\n" + r.Text}}
		if c.Secret != "" {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			m := hmac.New(sha256.New, []byte(ts+"\n"+c.Secret))
			msg["timestamp"], msg["sign"] = ts, base64.StdEncoding.EncodeToString(m.Sum(nil))
		}
		body, _ := json.Marshal(msg)
		return n.post(ctx, c.Target, body, nil, robotError("code", "msg"))
	}
	return fmt.Errorf("unknown channel kind %q", c.Kind)
}

// robotError reads a group robot's answer, which reports failure in its
// body with HTTP 200.
func robotError(codeField, msgField string) func([]byte) error {
	return func(b []byte) error {
		var v map[string]any
		if json.Unmarshal(b, &v) != nil {
			return nil
		}
		code, ok := v[codeField].(float64)
		if !ok {
			if code, ok = v["StatusCode"].(float64); !ok {
				return nil
			}
		}
		if code != 0 {
			return fmt.Errorf("the robot refused the message: %s %v: %v", codeField, code, v[msgField])
		}
		return nil
	}
}

// webhookClient is the default HTTPClient. Unless allowPrivate, its
// dialer refuses internal addresses at the moment of connecting, after
// the name was resolved: checking the name when the channel was saved is
// not enough, as it may resolve elsewhere now (DNS rebinding), and a
// redirect may lead anywhere.
func webhookClient(allowPrivate bool) *http.Client {
	if allowPrivate {
		return &http.Client{Timeout: 10 * time.Second}
	}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(host)
		if err != nil || domain.InternalAddress(ip) {
			return fmt.Errorf("%s is an internal address; the operator may allow these with LIANDONG_NOTIFY_ALLOW_PRIVATE=1", host)
		}
		return nil
	}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.DialContext = d.DialContext
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}

func (n *Notifier) post(ctx context.Context, target string, body []byte, h http.Header, check func([]byte) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad target URL: %w", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "liandong-notify")
	res, err := n.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", res.Status)
	}
	if check != nil {
		return check(answer)
	}
	return nil
}

func (n *Notifier) sendMail(c *domain.NotificationChannel, r Reminder) error {
	if n.cfg.SMTPAddr == "" {
		return errors.New("no SMTP server is configured")
	}
	to, err := mail.ParseAddressList(c.Target)
	if err != nil {
		return fmt.Errorf("bad address: %w", err)
	}
	rcpt := make([]string, len(to))
	heads := make([]string, len(to))
	for i, a := range to {
		rcpt[i], heads[i] = a.Address, a.String()
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\n", n.cfg.SMTPFrom)
	fmt.Fprintf(&msg, "To: %s\r\n", strings.Join(heads, ", "))
	fmt.Fprintf(&msg, "Subject: %s\r\n", mime.BEncoding.Encode("utf-8", r.Subject))
	fmt.Fprintf(&msg, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&msg, "X-Liandong-Reminder: %s\r\n", r.Key)
	msg.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(r.Text + "\n"))
	for len(enc) > 76 {
		msg.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	msg.WriteString(enc + "\r\n")
	var auth smtp.Auth
	if n.cfg.SMTPUser != "" {
		host, _, _ := strings.Cut(n.cfg.SMTPAddr, ":")
		auth = smtp.PlainAuth("", n.cfg.SMTPUser, n.cfg.SMTPPassword, host)
	}
	if err := smtp.SendMail(n.cfg.SMTPAddr, auth, n.cfg.SMTPFrom, rcpt, msg.Bytes()); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}
