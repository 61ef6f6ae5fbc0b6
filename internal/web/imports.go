package web

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/ledger"
	"github.com/liandong/liandong/internal/message"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// The ledger import in the pages: upload a file (kept in the database, so
// any instance serves the next step), see its first rows as a grid and
// point its columns to fields, preview what the import changes and resolve
// the unit names nobody answers to, then apply all rows or none. Every
// step calls the functions the API calls — ledger.ReadGrid,
// ledger.PreviewImport, ledger.Import, the store's column mappings and
// units — under the same policy: reading a preview needs the right to read
// items, uploading and applying the right to change them.

// uploadPath is where a ledger is uploaded; loadSession lets its body be
// as large as a ledger may be.
const uploadPath = "/imports/new"

// gridRows is how many rows of the sheet the mapping step shows, at least.
const gridRows = 12

type importBatch struct {
	Mechanism *domain.Mechanism
	Batches   []*domain.Batch
}

type importNewData struct {
	Groups []importBatch
	Batch  int64
	// NewBatch offers to create a batch first, to whom may in some mechanism.
	NewBatch bool
}

// importNewForm answers GET /imports/new?batch=: choose the batch (and so
// the mechanism) and the file.
func (h *Handler) importNewForm(w http.ResponseWriter, r *http.Request) {
	h.importNewPage(w, r, http.StatusOK, nil)
}

func (h *Handler) importNewPage(w http.ResponseWriter, r *http.Request, status int, fields map[string]string) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := importNewData{Batch: queryID(r, "batch"), NewBatch: len(h.batchMechanisms(r.Context(), r, rf)) > 0}
	if b := formID(r, "batch"); b != 0 {
		d.Batch = b
	}
	for _, m := range rf.mechList {
		g := importBatch{Mechanism: m}
		for _, b := range rf.batchList {
			if b.MechanismID == m.ID {
				g.Batches = append(g.Batches, b)
			}
		}
		if len(g.Batches) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	v := h.newView(r, t.T("import.title"), "items")
	if fields != nil {
		v.Error, v.Fields = t.T("form.fix"), fields
	}
	v.Data = d
	h.render(w, r, status, "import_new", v)
}

// importUpload answers POST /imports/new (multipart): the file is read
// once to see that the engine can, kept, and the mapping step follows.
func (h *Handler) importUpload(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Write, "items"); err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := h.store.Batches.GetAs(r.Context(), actor(r), formID(r, "batch"))
	if err != nil {
		h.importNewPage(w, r, http.StatusUnprocessableEntity, map[string]string{"batch": t.T("import.choose_batch")})
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		h.importNewPage(w, r, http.StatusUnprocessableEntity, map[string]string{"file": t.T("import.no_file")})
		return
	}
	defer f.Close()
	file, err := io.ReadAll(io.LimitReader(f, ledger.MaxFileBytes+1))
	switch {
	case err != nil:
		h.fail(w, r, err)
		return
	case len(file) == 0:
		h.importNewPage(w, r, http.StatusUnprocessableEntity, map[string]string{"file": t.T("import.no_file")})
		return
	case len(file) > ledger.MaxFileBytes:
		h.importNewPage(w, r, http.StatusRequestEntityTooLarge, map[string]string{"file": t.F("import.too_large", ledger.MaxFileBytes>>20)})
		return
	}
	format := ledger.FormatOf(hdr.Filename, hdr.Header.Get("Content-Type"), file)
	if _, err := ledger.ReadGrid(file, ledger.Options{Format: format}, 1); err != nil && !headersOnly(err) {
		h.importNewPage(w, r, http.StatusUnprocessableEntity, map[string]string{"file": engineMessage(t.locale, err)})
		return
	}
	up := &store.LedgerUpload{UserID: currentUser(r).ID, MechanismID: b.MechanismID, BatchID: b.ID, Name: hdr.Filename, Format: string(format), Bytes: file}
	if err := h.store.SaveLedgerUpload(r.Context(), up); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", up.ID), http.StatusSeeOther)
}

// headersOnly reports whether a reading error is only that no header row
// was found where the layout looked: the mapping step is where that is
// set right.
func headersOnly(err error) bool {
	for _, f := range domain.ErrorFields(err) {
		if f.Field == "header_rows" || (f.Field == "file" && strings.Contains(f.Reason, "no header row")) {
			continue
		}
		return false
	}
	return domain.ErrorCode(err) == domain.Invalid
}

// engineMessage is the reasons of an engine's error in the visitor's
// language, each after its field.
func engineMessage(locale string, err error) string {
	l := message.Of(locale, err)
	var parts []string
	for _, f := range l.Fields {
		parts = append(parts, f.Field+": "+f.Reason)
	}
	if len(parts) == 0 {
		return l.Message
	}
	return strings.Join(parts, "; ")
}

// importStep is what every step after the upload starts from: the upload
// of the visitor's, its batch and mechanism as the visitor may read them,
// and the options the query (or form) gives.
type importStep struct {
	Upload    *store.LedgerUpload
	Batch     *domain.Batch
	Mechanism *domain.Mechanism
	Opts      ledger.Options
	Grid      *ledger.Grid
	GridErr   string
	// Query is the layout and mapping as a query string, carried from
	// step to step.
	Query string
	// From is the saved mapping the step started from, if any.
	From *domain.ColumnMapping
	// CanSave: the visitor may save mappings of the mechanism;
	// MappingName is the name the save form offers.
	CanSave     bool
	MappingName string
	locale      string // the visitor's: the engine's reasons are written in it
}

// MapHref and PreviewHref link to the mapping and preview steps with the
// step's layout and mapping (built by url.Values.Encode, so safe as is).
func (s *importStep) MapHref() template.URL {
	return template.URL(fmt.Sprintf("/imports/%d?%s", s.Upload.ID, s.Query))
}

func (s *importStep) PreviewHref() template.URL {
	return template.URL(fmt.Sprintf("/imports/%d/preview?%s", s.Upload.ID, s.Query))
}

func (h *Handler) loadStep(r *http.Request, action policy.Action, q url.Values) (*importStep, error) {
	if err := policy.Check(currentUser(r), action, "items"); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	s := &importStep{locale: state(r).locale}
	if s.Upload, err = h.store.LedgerUpload(r.Context(), currentUser(r).ID, id); err != nil {
		return nil, err
	}
	if s.Batch, err = h.store.Batches.GetAs(r.Context(), actor(r), s.Upload.BatchID); err != nil {
		return nil, err
	}
	if s.Mechanism, err = h.store.Mechanisms.GetAs(r.Context(), actor(r), s.Batch.MechanismID); err != nil {
		return nil, err
	}
	s.CanSave = h.store.ColumnMappings().Allowed(r.Context(), actor(r), policy.Write, &domain.ColumnMapping{MechanismID: s.Mechanism.ID}) == nil
	s.MappingName = strings.TrimSpace(q.Get("name"))
	format := ledger.Format(s.Upload.Format)
	if q.Get("set") == "" {
		// Not laid out yet: start from the saved mapping asked for, else
		// from the one of the mechanism that fits the file best.
		h.startFromMapping(r, s, format, queryID(r, "mapping"))
		return s, nil
	}
	s.Opts = ledger.Options{Format: format, Layout: layoutOf(q), Mapping: map[string]string{}, Locale: s.locale}
	// The columns are pointed to fields by position; their headers, which
	// a saved mapping keeps, follow from the layout.
	if bare, _ := ledger.ReadGrid(s.Upload.Bytes, ledger.Options{Format: format, Layout: s.Opts.Layout}, 0); bare != nil {
		for i, c := range bare.Columns {
			if f := q.Get("c" + strconv.Itoa(i)); f != "" && c.Path != "" && slices.Contains(domain.LedgerFields, f) {
				s.Opts.Mapping[c.Path] = f
			}
		}
	}
	h.readGrid(s)
	return s, nil
}

// startFromMapping lays the step out by a saved mapping: the one given,
// else the mechanism's mapping that fits the file with the most columns,
// else the standard layout.
func (h *Handler) startFromMapping(r *http.Request, s *importStep, format ledger.Format, want int64) {
	s.Opts = ledger.Options{Format: format, Mapping: map[string]string{}, Locale: s.locale}
	saved, err := listAll(r.Context(), currentUser(r), h.store.ColumnMappings(), map[string]string{"mechanism": strconv.FormatInt(s.Mechanism.ID, 10)})
	if err != nil {
		saved = nil // a mapping is a help, not a need
	}
	best := 0
	for _, m := range saved {
		if m.ArchivedAt != nil {
			continue
		}
		opts := ledger.OptionsOf(format, m)
		opts.Locale = s.locale
		if m.ID == want {
			s.Opts, s.From = opts, m
			break
		}
		if g, err := ledger.ReadGrid(s.Upload.Bytes, opts, 0); err == nil && g.Fits() && len(m.Columns) > best {
			best, s.Opts, s.From = len(m.Columns), opts, m
		}
	}
	if s.Opts.Mapping == nil {
		s.Opts.Mapping = map[string]string{}
	}
	h.readGrid(s)
}

// readGrid reads the grid under the step's options and the query that
// carries them on.
func (h *Handler) readGrid(s *importStep) {
	rows := gridRows
	if n := len(s.Opts.Layout.HeaderRows); n > 0 {
		rows = min(max(rows, s.Opts.Layout.HeaderRows[n-1]+5), 40)
	}
	g, err := ledger.ReadGrid(s.Upload.Bytes, s.Opts, rows)
	s.Grid = g
	if err != nil {
		s.GridErr = engineMessage(s.locale, err)
	}
	q := url.Values{"set": {"1"}}
	l := s.Opts.Layout
	if l.Sheet != "" {
		q.Set("sheet", l.Sheet)
	}
	if n := len(l.HeaderRows); n > 0 {
		q.Set("header_first", strconv.Itoa(l.HeaderRows[0]))
		q.Set("header_last", strconv.Itoa(l.HeaderRows[n-1]))
	}
	if l.DataFirstRow > 0 {
		q.Set("data_first", strconv.Itoa(l.DataFirstRow))
	}
	if l.DataLastRow > 0 {
		q.Set("data_last", strconv.Itoa(l.DataLastRow))
	}
	for _, f := range l.FillDown {
		q.Add("fill", f)
	}
	if l.UnitSeparators != "" {
		q.Set("seps", l.UnitSeparators)
	}
	if l.MatchKey != "" {
		q.Set("match", l.MatchKey)
	}
	if g != nil {
		for i, c := range g.Columns {
			if c.Field != "" {
				q.Set("c"+strconv.Itoa(i), c.Field)
			}
		}
	}
	s.Query = q.Encode()
}

// layoutOf reads a layout from the mapping step's fields. Numbers that do
// not parse are left out; domain.ColumnMapping.Validate names what is
// wrong when the mapping is saved, and the engine when the file is read.
func layoutOf(q url.Values) domain.LedgerLayout {
	num := func(k string) int {
		n, _ := strconv.Atoi(strings.TrimSpace(q.Get(k)))
		return max(n, 0)
	}
	l := domain.LedgerLayout{Sheet: strings.TrimSpace(q.Get("sheet")), DataFirstRow: num("data_first"), DataLastRow: num("data_last"),
		UnitSeparators: q.Get("seps"), MatchKey: q.Get("match")}
	if first, last := num("header_first"), num("header_last"); first > 0 {
		last = max(last, first)
		for r := first; r <= last && r < first+10; r++ {
			l.HeaderRows = append(l.HeaderRows, r)
		}
	}
	for _, f := range q["fill"] {
		if slices.Contains(domain.LedgerFields, f) {
			l.FillDown = append(l.FillDown, f)
		}
	}
	return l
}

// stepQuery is the layout and mapping a form carried in its q field.
func stepQuery(r *http.Request) url.Values {
	q, _ := url.ParseQuery(r.PostFormValue("q"))
	return q
}

type importMapData struct {
	*importStep
	Fields       []string
	FillFields   []string
	MatchKeys    []string
	Saved        []*domain.ColumnMapping
	HeaderFirst  int
	HeaderLast   int
	SavedMessage bool
}

// importMap answers GET /imports/{id}: the grid and the layout and column
// fields, started from a saved mapping when one fits.
func (h *Handler) importMap(w http.ResponseWriter, r *http.Request) {
	s, err := h.loadStep(r, policy.Read, r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.importMapPage(w, r, http.StatusOK, s, nil)
}

func (h *Handler) importMapPage(w http.ResponseWriter, r *http.Request, status int, s *importStep, fail error) {
	t := h.tr(state(r).locale)
	d := importMapData{importStep: s, Fields: domain.LedgerFields, MatchKeys: domain.LedgerMatchKeys,
		FillFields: []string{"number", "title", "content", "lead", "cooperating", "status"}, SavedMessage: r.URL.Query().Get("saved") != ""}
	if n := len(s.Opts.Layout.HeaderRows); n > 0 {
		d.HeaderFirst, d.HeaderLast = s.Opts.Layout.HeaderRows[0], s.Opts.Layout.HeaderRows[n-1]
	}
	saved, err := listAll(r.Context(), currentUser(r), h.store.ColumnMappings(), map[string]string{"mechanism": strconv.FormatInt(s.Mechanism.ID, 10)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range saved {
		if m.ArchivedAt == nil {
			d.Saved = append(d.Saved, m)
		}
	}
	if s.From != nil && s.MappingName == "" {
		s.MappingName = s.From.Name
	}
	v := h.newView(r, t.T("import.map_title"), "items")
	if d.SavedMessage {
		v.Message = t.T("import.mapping_saved")
	}
	if fail != nil {
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, fail)
		s.MappingName = r.PostFormValue("name")
	}
	v.Data = d
	h.render(w, r, status, "import_map", v)
}

// importMappingSave answers POST /imports/{id}/mapping: keep the layout
// and the columns as a mapping of the mechanism, under a name (a mapping
// of that name is replaced).
func (h *Handler) importMappingSave(w http.ResponseWriter, r *http.Request) {
	s, err := h.loadStep(r, policy.Read, stepQuery(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	m := &domain.ColumnMapping{MechanismID: s.Mechanism.ID, Name: name, Columns: s.Opts.Mapping, LedgerLayout: s.Opts.Layout, Record: domain.Record{Source: "web"}}
	same, err := listAll(r.Context(), currentUser(r), h.store.ColumnMappings(), map[string]string{"mechanism": strconv.FormatInt(s.Mechanism.ID, 10), "name": name})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, old := range same {
		if old.Name == name && old.ArchivedAt == nil {
			m.Record = old.Record
			m.Source = "web"
		}
	}
	if m.ID != 0 {
		err = h.store.ColumnMappings().Update(r.Context(), actor(r), m)
	} else {
		err = h.store.ColumnMappings().Create(r.Context(), actor(r), m)
	}
	switch domain.ErrorCode(err) {
	case "":
	case domain.Invalid, domain.Conflict:
		h.importMapPage(w, r, http.StatusUnprocessableEntity, s, err)
		return
	default:
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, string(s.MapHref())+"&saved=1", http.StatusSeeOther)
}

type importUnitChoice struct {
	Unresolved ledger.UnresolvedUnit
	Index      int
}

type importPreviewData struct {
	*importStep
	Preview    *ledger.Preview
	Changes    map[int]ledger.RowChange
	Errors     map[int][]ledger.CellError
	Unresolved []importUnitChoice
	Sides      []sideUnits
	Places     []*domain.Jurisdiction
	Kinds      []domain.OrganizationKind
	CanResolve bool
	CanApply   bool
}

// importPreview answers GET /imports/{id}/preview: what applying would
// do, row by row, and the unit names to resolve.
func (h *Handler) importPreview(w http.ResponseWriter, r *http.Request) {
	s, err := h.loadStep(r, policy.Read, r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.importPreviewPage(w, r, http.StatusOK, s, nil, nil)
}

// importPreviewPage shows p, or a new preview when p is nil; fail is why
// the last action was refused.
func (h *Handler) importPreviewPage(w http.ResponseWriter, r *http.Request, status int, s *importStep, p *ledger.Preview, fail error) {
	t := h.tr(state(r).locale)
	v := h.newView(r, t.T("import.preview_title"), "items")
	if p == nil {
		var err error
		p, err = ledger.PreviewImport(r.Context(), h.store, actor(r), s.Batch.ID, s.Upload.Bytes, s.Opts)
		if err != nil {
			if domain.ErrorCode(err) != domain.Invalid && domain.ErrorCode(err) != domain.TooLarge {
				h.fail(w, r, err)
				return
			}
			// The file cannot be read this way: back to the mapping.
			s.GridErr = engineMessage(s.locale, err)
			h.importMapPage(w, r, http.StatusUnprocessableEntity, s, nil)
			return
		}
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := importPreviewData{importStep: s, Preview: p, Changes: map[int]ledger.RowChange{}, Errors: map[int][]ledger.CellError{},
		Kinds: domain.OrganizationKinds, CanResolve: h.store.MayNameUnits(r.Context(), actor(r), s.Mechanism.ID) == nil,
		CanApply: policy.Check(currentUser(r), policy.Write, "items") == nil && len(p.Errors) == 0 && p.Added+p.Changed > 0}
	for _, c := range p.Changes {
		d.Changes[c.Row] = c
	}
	for _, e := range p.Errors {
		d.Errors[e.Row] = append(d.Errors[e.Row], e)
	}
	for i, u := range p.Unresolved {
		d.Unresolved = append(d.Unresolved, importUnitChoice{Unresolved: u, Index: i})
	}
	for _, side := range s.Mechanism.Sides {
		d.Sides = append(d.Sides, sideUnits{Side: side, Units: rf.unitsOfSide(side)})
		for _, j := range rf.jurisdictions {
			if rf.within(j.ID, side.JurisdictionID) {
				d.Places = append(d.Places, j)
			}
		}
	}
	slices.SortFunc(d.Places, func(a, b *domain.Jurisdiction) int { return int(a.ID - b.ID) })
	if fail != nil {
		v.Error, v.Fields = t.T("form.fix"), fieldMessages(t, fail)
		if len(v.Fields) == 0 {
			v.Error = message.Of(t.locale, fail).Message
		}
	}
	v.Data = d
	h.render(w, r, status, "import_preview", v)
}

// importUnits answers POST /imports/{id}/units: an unresolved name becomes
// an alias of an existing unit (which keeps it for the next ledger), or
// the name of a new unit; then the preview again.
func (h *Handler) importUnits(w http.ResponseWriter, r *http.Request) {
	s, err := h.loadStep(r, policy.Read, stepQuery(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	switch r.PostFormValue("action") {
	case "alias":
		_, err = h.store.NameUnit(r.Context(), actor(r), s.Mechanism.ID, formID(r, "unit"), name)
	case "create":
		o := &domain.Organization{JurisdictionID: formID(r, "jurisdiction"), Name: name, Kind: domain.OrganizationKind(r.PostFormValue("kind")), Record: domain.Record{Source: "web"}}
		err = h.store.CreateUnitFor(r.Context(), actor(r), s.Mechanism.ID, o)
	default:
		err = domain.Errorf(domain.Invalid, "the input is invalid").With(domain.FieldErrorf("action", "must be alias or create"))
	}
	switch domain.ErrorCode(err) {
	case "":
	case domain.Invalid, domain.Conflict, domain.NotFound:
		h.importPreviewPage(w, r, http.StatusUnprocessableEntity, s, nil, err)
		return
	default:
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, string(s.PreviewHref()), http.StatusSeeOther)
}

type importDoneData struct {
	Batch     *domain.Batch
	Mechanism *domain.Mechanism
	Preview   *ledger.Preview
}

// importApply answers POST /imports/{id}/apply: every row or none. The
// upload is deleted once applied.
func (h *Handler) importApply(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	s, err := h.loadStep(r, policy.Write, stepQuery(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := ledger.Import(r.Context(), h.store, actor(r), s.Batch.ID, s.Upload.Bytes, s.Opts)
	if err != nil {
		code := domain.ErrorCode(err)
		switch {
		case p != nil && (code == domain.Invalid || code == domain.Conflict):
			h.importPreviewPage(w, r, http.StatusUnprocessableEntity, s, p, &domain.Error{Code: domain.Invalid, Message: t.T("import.not_applied")})
		case code == domain.Invalid || code == domain.TooLarge:
			h.importPreviewPage(w, r, http.StatusUnprocessableEntity, s, nil, err)
		default:
			h.fail(w, r, err)
		}
		return
	}
	if err := h.store.DeleteLedgerUpload(r.Context(), currentUser(r).ID, s.Upload.ID); err != nil {
		h.log.Warn("delete applied ledger upload", "id", s.Upload.ID, "err", err)
	}
	v := h.newView(r, t.T("import.done_title"), "items")
	v.Message = t.F("import.done", p.Added, p.Changed, p.Unchanged)
	v.Data = importDoneData{Batch: s.Batch, Mechanism: s.Mechanism, Preview: p}
	h.render(w, r, http.StatusOK, "import_done", v)
}
