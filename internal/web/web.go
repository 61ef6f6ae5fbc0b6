// Package web is Liandong's browser interface: server-rendered pages
// (html/template), htmx for partial updates and Apache ECharts for figures.
// Templates, catalogues and assets are embedded and checked at start-up, so
// the binary serves every byte a page needs and a broken template stops the
// program before it listens.
package web

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/notify"
	"github.com/liandong/liandong/internal/store"
)

// Handler serves the web application under "/".
type Handler struct {
	store  *store.Store
	log    *slog.Logger
	mux    *http.ServeMux
	pages  map[string]map[string]*pageTemplate // locale → page name → template
	assets *assets
	cat    catalogues
	// itemChoices are the item list's options that only the language
	// changes, per language.
	itemChoices map[string]*fixedItemChoices
	// now is the clock for periods, deadlines and "due soon"; tests may set it.
	now func() time.Time
	// refs caches the reference lists until their tables change (loadRefs).
	refsMu    sync.Mutex
	refs      *refs
	refsStamp int64
	// views keeps each user's saved and shared views (userViews).
	viewsMu sync.Mutex
	views   map[int64]keptViews
	// inbox keeps each user's inbox for the menu's count (inbox.Counter).
	inbox *inbox.Counter
	// notify is how meeting notices are sent: the mail server; its zero
	// value sends to webhooks and group robots only.
	notify notify.Config
	// alertAfter is how long an entry may wait for a peer's receipt before
	// the federation page raises the alarm; zero means the default.
	alertAfter time.Duration
}

// New parses every template in every language and hashes the assets. An
// error here is a fault of the build (the files are embedded), so callers
// stop rather than serve a half-working site.
func New(s *store.Store, log *slog.Logger) (*Handler, error) {
	h := &Handler{store: s, log: log, now: time.Now, inbox: inbox.NewCounter(s)}
	var err error
	if h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if h.cat, err = loadCatalogues(); err != nil {
		return nil, err
	}
	h.itemChoices = map[string]*fixedItemChoices{}
	for _, loc := range domain.Locales {
		h.itemChoices[loc] = newFixedItemChoices(h.tr(loc))
	}
	if h.pages, err = h.parseTemplates(); err != nil {
		return nil, err
	}
	h.mux = h.routes()
	return h, nil
}

// SetClock makes the pages read the time from now: the current period,
// today and "due soon" follow it. A benchmark uses it to stand in a period
// that holds reports.
func (h *Handler) SetClock(now func() time.Time) { h.now = now }

// SetNotify gives the pages the notifier's configuration (the mail server),
// for the notices they send.
func (h *Handler) SetNotify(cfg notify.Config) { h.notify = cfg }

// Must returns h or panics on err, for wiring code whose only failure is a
// broken build.
func Must(h *Handler, err error) *Handler {
	if err != nil {
		panic("web: " + err.Error())
	}
	return h
}

// contentSecurityPolicy allows nothing inline: scripts and styles come from
// our own files only, chart data travels in JSON data blocks, and no page
// may be framed (clickjacking).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeHTTP sets the security headers every response carries, loads the
// visitor's session and hands the request to the routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	r2, ok := h.loadSession(w, r)
	if !ok {
		return
	}
	h.mux.ServeHTTP(w, r2)
	// The server's request log and metrics read the matched pattern from
	// the request they passed in; the session lives on a derived request,
	// so hand the pattern back to keep route labels precise.
	r.Pattern = r2.Pattern
}
