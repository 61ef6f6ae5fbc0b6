package notify

import (
	"strconv"
	"time"
)

// ConfigFromEnv reads the notifier's settings from LIANDONG_* variables
// through getenv (os.Getenv in the program, a map in tests):
//
//	LIANDONG_SMTP_ADDR       host:port of the mail server (no e-mail without it)
//	LIANDONG_SMTP_FROM       sender address
//	LIANDONG_SMTP_USER       PLAIN authentication user, with LIANDONG_SMTP_PASSWORD
//	LIANDONG_NOTIFY_SCAN     how often to scan for reminders, a Go duration (1h)
//	LIANDONG_NOTIFY_REMIND   how often one reminder may repeat (24h)
//	LIANDONG_NOTIFY_CHECKPOINT  how often an audit checkpoint is issued and sent, when the log grew (24h)
//	LIANDONG_NOTIFY_REPORT_DAYS, LIANDONG_NOTIFY_MILESTONE_DAYS  windows in days (10, 7)
//	LIANDONG_SITE_URL        the site's address, for the inbox link in reminders
//
// LIANDONG_NOTIFY_ALLOW_PRIVATE=1 (webhooks to internal addresses) is not
// read here but set on the store by the serve command, because saving a
// channel checks it as well as sending to one.
//
// A malformed value is ignored and its default kept.
func ConfigFromEnv(getenv func(string) string) Config {
	c := Config{
		SMTPAddr:     getenv("LIANDONG_SMTP_ADDR"),
		SMTPFrom:     getenv("LIANDONG_SMTP_FROM"),
		SMTPUser:     getenv("LIANDONG_SMTP_USER"),
		SMTPPassword: getenv("LIANDONG_SMTP_PASSWORD"),
		SiteURL:      getenv("LIANDONG_SITE_URL"),
	}
	if d, err := time.ParseDuration(getenv("LIANDONG_NOTIFY_SCAN")); err == nil {
		c.ScanEvery = d
	}
	if d, err := time.ParseDuration(getenv("LIANDONG_NOTIFY_REMIND")); err == nil {
		c.RemindEvery = d
	}
	if d, err := time.ParseDuration(getenv("LIANDONG_NOTIFY_CHECKPOINT")); err == nil {
		c.CheckpointEvery = d
	}
	if n, err := strconv.Atoi(getenv("LIANDONG_NOTIFY_REPORT_DAYS")); err == nil {
		c.ReportDays = n
	}
	if n, err := strconv.Atoi(getenv("LIANDONG_NOTIFY_MILESTONE_DAYS")); err == nil {
		c.MilestoneDays = n
	}
	return c
}
