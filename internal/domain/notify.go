package domain

import (
	"encoding/json"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// ColumnMapping lets a ledger (台账) with headers of its own import: Columns
// maps a header as written in the file to one of the LedgerFields.
type ColumnMapping struct {
	Record
	MechanismID int64             `json:"mechanism_id"`
	Name        string            `json:"name"`
	Columns     map[string]string `json:"columns"`
}

// LedgerFields are the fields a ledger column can hold. Import writes the
// editable ones (number, title, content, the quarterly schedule, status);
// the others are exported for reading and ignored on import.
var LedgerFields = []string{"id", "version", "number", "title", "content", "schedule.q1", "schedule.q2", "schedule.q3", "schedule.q4",
	"lead", "cooperating", "status", "light", "progress", "problems"}

// Validate implements Entity.
func (m *ColumnMapping) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", m.MechanismID)
	checkName(&p, "name", m.Name)
	if len(m.Columns) == 0 {
		p.Add("columns", "map at least one header to a field")
	}
	if len(m.Columns) > 100 {
		p.Add("columns", "at most 100 headers")
	}
	known := map[string]bool{}
	for _, f := range LedgerFields {
		known[f] = true
	}
	for h, f := range m.Columns {
		checkName(&p, "columns."+h, h)
		if !known[f] {
			p.Addf("columns."+h, "must name a ledger field: %v", LedgerFields)
		}
	}
	checkText(&p, "source", m.Source, MaxText)
	return p.Err()
}

// ChannelKind is how a notification channel delivers.
type ChannelKind string

// The channel kinds: e-mail, a generic JSON webhook signed with HMAC, and
// the group robots of WeCom (企业微信), DingTalk (钉钉) and Feishu (飞书).
const (
	SMTPChannel     ChannelKind = "smtp"
	WebhookChannel  ChannelKind = "webhook"
	WeComChannel    ChannelKind = "wecom"
	DingTalkChannel ChannelKind = "dingtalk"
	FeishuChannel   ChannelKind = "feishu"
)

// ChannelKinds lists the channel kinds.
var ChannelKinds = []ChannelKind{SMTPChannel, WebhookChannel, WeComChannel, DingTalkChannel, FeishuChannel}

// NotificationChannel is where a mechanism's reminders go: an e-mail
// address (smtp) or a URL (the others). Secret signs webhook bodies
// (generic: HMAC-SHA256 of the body; DingTalk and Feishu: their timestamp
// signatures); it is never sent back, and an update that leaves it empty
// keeps the stored one.
type NotificationChannel struct {
	Record
	MechanismID int64       `json:"mechanism_id"`
	Name        string      `json:"name"`
	Kind        ChannelKind `json:"kind"`
	Target      string      `json:"target"`
	Secret      string      `json:"secret,omitempty"`
}

// MarshalJSON leaves the secret out, so no answer and no audit event shows it.
func (c NotificationChannel) MarshalJSON() ([]byte, error) {
	type plain NotificationChannel
	v := plain(c)
	v.Secret = ""
	return json.Marshal(v)
}

// Validate implements Entity.
func (c *NotificationChannel) Validate() error {
	var p Problems
	checkRequiredID(&p, "mechanism_id", c.MechanismID)
	checkName(&p, "name", c.Name)
	checkOneOf(&p, "kind", c.Kind, ChannelKinds)
	checkName(&p, "target", c.Target)
	switch c.Kind {
	case SMTPChannel:
		if _, err := mail.ParseAddressList(c.Target); err != nil {
			p.Add("target", "must be one or more e-mail addresses separated by commas")
		}
	case "":
	default:
		u, err := url.Parse(c.Target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("target", "must be an http or https URL")
		}
	}
	checkText(&p, "secret", c.Secret, MaxName)
	checkText(&p, "source", c.Source, MaxText)
	return p.Err()
}

// DeliveryStatus says how one delivery attempt ended.
type DeliveryStatus string

// The delivery statuses.
const (
	Delivered DeliveryStatus = "delivered"
	Failed    DeliveryStatus = "failed"
)

// Delivery is one attempt to deliver a reminder on a channel, as the
// delivery log keeps it for the secretariat.
type Delivery struct {
	ID          int64          `json:"id"`
	At          time.Time      `json:"at"`
	MechanismID int64          `json:"mechanism_id"`
	ChannelID   int64          `json:"channel_id"`
	ReminderKey string         `json:"reminder_key"`
	Subject     string         `json:"subject"`
	Status      DeliveryStatus `json:"status"`
	Attempt     int            `json:"attempt"`
	Error       string         `json:"error"`
}

// MaskTarget returns a channel's target with what grants access hidden, for
// readers who do not administer the channel: a URL keeps its scheme and
// host, since its path and query carry the robot's key
// ("https://qyapi.weixin.qq.com/…****"); an e-mail address keeps its
// domain ("z****@cd.gov.cn").
func MaskTarget(kind ChannelKind, target string) string {
	if kind != SMTPChannel {
		return maskURL(target)
	}
	list, err := mail.ParseAddressList(target)
	if err != nil {
		return "****"
	}
	out := make([]string, len(list))
	for i, a := range list {
		local, host, ok := strings.Cut(a.Address, "@")
		if !ok || local == "" {
			out[i] = "****"
			continue
		}
		r, _ := utf8.DecodeRuneInString(local)
		out[i] = string(r) + "****@" + host
	}
	return strings.Join(out, ", ")
}

func maskURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "****"
	}
	return u.Scheme + "://" + u.Host + "/…****"
}

var urlInText = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)

// MaskURLs masks, as MaskTarget does, every URL in text, such as a failed
// delivery's error that names the address it posted to.
func MaskURLs(text string) string {
	return urlInText.ReplaceAllStringFunc(text, maskURL)
}

// sharedAddressSpace is carrier-grade NAT (RFC 6598): not public either.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// InternalAddress reports whether a notification sent to ip would reach
// the installation's own network rather than the Internet: loopback,
// private, shared (carrier-grade NAT), link-local, unspecified and
// multicast addresses, IPv4 ones also when written as IPv6. A webhook
// target must not reach them unless the operator allows it: otherwise
// whoever may edit a channel can make the server call its neighbours (the
// cloud's metadata service at 169.254.169.254, an admin port on
// 127.0.0.1) and read the answer in the delivery log.
func InternalAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	return !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() || sharedAddressSpace.Contains(ip)
}

// InternalHost reports whether a URL's host names this machine
// ("localhost" and names under it) or is an internal address written out.
// Other names are checked when they are resolved, at each delivery.
func InternalHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && InternalAddress(ip)
}
