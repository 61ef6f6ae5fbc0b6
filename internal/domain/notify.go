package domain

import (
	"encoding/json"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ColumnMapping lets a ledger (台账) laid out in its own way import: which
// sheet, which rows hold the headers and the data, which columns fill down
// merged cells, how a cell lists several units, how rows find their items,
// and Columns, which maps each header to one of the LedgerFields.
type ColumnMapping struct {
	Record
	MechanismID int64  `json:"mechanism_id"`
	Name        string `json:"name"`
	// Columns maps a header as written in the file to a ledger field. With
	// several header rows a column's header is its path: the texts of its
	// header rows joined by " › " ("进度安排 › 二季度"), a merged header cell
	// counting for every column it covers.
	Columns map[string]string `json:"columns" doc:"header (or header path such as \"进度安排 › 二季度\") → ledger field: id, version, number, title, content, schedule.q1…q4, lead, cooperating, status, light, progress, problems; lead and cooperating may name several columns"`
	LedgerLayout
}

// LedgerLayout says where a ledger's headers and data lie. Its zero value is
// the standard layout: the sheet 台账 (else the active one), one header row
// found among the first ten, data to the end.
type LedgerLayout struct {
	// Sheet is the sheet to read; empty: 台账, else the active sheet.
	Sheet string `json:"sheet,omitempty" doc:"the sheet to read; by default 台账, else the active sheet"`
	// HeaderRows are the 1-based rows that hold the headers, consecutive,
	// top first; empty: the one header row found among the first ten.
	HeaderRows []int `json:"header_rows,omitempty" doc:"the 1-based rows holding the headers, consecutive, top first (e.g. [2, 3]); by default the header row is looked for among the first ten"`
	// DataFirstRow is the first data row (default: the row after the
	// headers); DataLastRow the last one (default: the end of the data).
	// Reading always stops at a notes row: one whose only filled cell
	// starts with 注：, 备注 or 说明.
	DataFirstRow int `json:"data_first_row,omitempty" doc:"the 1-based first data row; by default the row after the headers"`
	DataLastRow  int `json:"data_last_row,omitempty" doc:"the 1-based last data row; by default the data runs until the sheet ends or a notes row (its only filled cell starting with 注：, 备注 or 说明)"`
	// FillDown lists the fields whose merged cells hold for every row they
	// cover, as a group cell merged down several rows reads; a CSV has no
	// merged cells, so there an empty cell takes the value above.
	FillDown []string `json:"fill_down,omitempty" doc:"fields whose merged cells hold for every row they cover (group cells merged down rows; in a CSV, an empty cell takes the value above), e.g. [\"lead\"]"`
	// UnitSeparators are the characters that split a cell naming several
	// units; empty: 、，,；; and line breaks.
	UnitSeparators string `json:"unit_separators,omitempty" doc:"the characters between unit names in one cell; by default 、，,；; and line breaks"`
	// MatchKey is the field a row finds its item by within the batch:
	// number (the default) or title. A row whose key matches no item adds one.
	MatchKey string `json:"match_key,omitempty" doc:"number (default) or title: how a row finds its item in the batch; a row matching none adds an item"`
}

// DefaultUnitSeparators split a cell naming several units.
const DefaultUnitSeparators = "、，,；;\n"

// LedgerMatchKeys are the fields a ledger row may find its item by.
var LedgerMatchKeys = []string{"number", "title"}

// LedgerFields are the fields a ledger column can hold. Import writes the
// editable ones (number, title, content, the quarterly schedule, status)
// and, through a mapping, the lead and cooperating units; light, progress
// and problems are exported for reading and ignored on import.
var LedgerFields = []string{"id", "version", "number", "title", "content", "schedule.q1", "schedule.q2", "schedule.q3", "schedule.q4",
	"lead", "cooperating", "status", "light", "progress", "problems"}

// maxHeaderRows bounds a mapping's header rows, and maxLayoutRow the rows
// it may name.
const (
	maxHeaderRows = 5
	maxLayoutRow  = 1_000_000
)

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
	m.LedgerLayout.check(&p, known)
	checkText(&p, "source", m.Source, MaxText)
	return p.Err()
}

func (l *LedgerLayout) check(p *Problems, known map[string]bool) {
	checkText(p, "sheet", l.Sheet, 31) // Excel's limit on a sheet name
	if len(l.HeaderRows) > maxHeaderRows {
		p.Addf("header_rows", "at most %d header rows", maxHeaderRows)
	}
	for i, r := range l.HeaderRows {
		switch {
		case r < 1 || r > 100:
			p.Add("header_rows", "must be rows between 1 and 100")
		case i > 0 && r != l.HeaderRows[i-1]+1:
			p.Add("header_rows", "must be consecutive rows, top first, such as [2, 3]")
		default:
			continue
		}
		break
	}
	lastHeader := 0
	if n := len(l.HeaderRows); n > 0 {
		lastHeader = l.HeaderRows[n-1]
	}
	if l.DataFirstRow < 0 || l.DataFirstRow > maxLayoutRow || (l.DataFirstRow != 0 && l.DataFirstRow <= lastHeader) {
		p.Add("data_first_row", "must be 0 (the row after the headers) or a row below the header rows")
	}
	if l.DataLastRow < 0 || l.DataLastRow > maxLayoutRow || (l.DataLastRow != 0 && l.DataLastRow < max(l.DataFirstRow, lastHeader+1)) {
		p.Add("data_last_row", "must be 0 (the end of the data) or a row at or below the first data row")
	}
	if len(l.FillDown) > len(LedgerFields) {
		p.Add("fill_down", "names too many fields")
	}
	for _, f := range l.FillDown {
		if !known[f] {
			p.Addf("fill_down", "must name ledger fields: %v", LedgerFields)
			break
		}
	}
	if utf8.RuneCountInString(l.UnitSeparators) > 10 || strings.IndexFunc(l.UnitSeparators, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
		p.Add("unit_separators", "must be at most 10 punctuation or space characters, such as 、，;")
	}
	if l.MatchKey != "" && !slices.Contains(LedgerMatchKeys, l.MatchKey) {
		p.Addf("match_key", "must be one of %v", LedgerMatchKeys)
	}
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
