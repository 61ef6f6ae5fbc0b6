package ledger

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
	"github.com/liandong/liandong/internal/store"
)

// Options say how to read an uploaded ledger.
type Options struct {
	Format Format
	// Mapping maps headers (or header paths) as written in the file to
	// ledger fields (domain.LedgerFields), for ledgers laid out
	// differently; headers it does not name are read by the standard
	// layout. A mapping that names lead or cooperating makes import read
	// the units.
	Mapping map[string]string
	// Layout says where the headers and the data lie; its zero value
	// finds one header row among the first ten.
	Layout domain.LedgerLayout
	// Locale is the language of the preview's texts — why a row is
	// refused, what a change waits for: zh-CN (the default) or en.
	Locale string
}

// OptionsOf are the options of a saved column mapping.
func OptionsOf(format Format, m *domain.ColumnMapping) Options {
	return Options{Format: format, Mapping: m.Columns, Layout: m.LedgerLayout}
}

// The kinds of row outcome.
const (
	RowAdded     = "added"
	RowUpdated   = "updated"
	RowUnchanged = "unchanged"
	RowRefused   = "refused"
)

// Preview is what an import will change, row by row, or why it cannot.
type Preview struct {
	Sheet     string `json:"sheet"`
	Rows      int    `json:"rows"`      // data rows read
	Added     int    `json:"added"`     // rows that add an item
	Changed   int    `json:"changed"`   // rows that update an item
	Unchanged int    `json:"unchanged"` // rows equal to what is stored
	Refused   int    `json:"refused"`   // rows refused; Errors says why
	// Outcomes lists every data row: added, updated, unchanged or refused.
	Outcomes []RowOutcome `json:"outcomes"`
	// Changes lists the rows that add or update an item, with their fields.
	Changes []RowChange `json:"changes"`
	// NotesRow is the row of notes under the data where reading stopped;
	// 0 when the data ran to the end.
	NotesRow int `json:"notes_row,omitempty"`
	// Ignored names the columns import does not write: read-only ones
	// (light, progress, problems; units in the standard layout) and
	// headers it does not know.
	Ignored []string `json:"ignored"`
	// Missing lists the mapping's headers that no column of the file has.
	Missing []string `json:"missing"`
	// Unresolved lists each unit name no unit answers to, once, with the
	// closest units; while any is left the import is refused.
	Unresolved []UnresolvedUnit `json:"unresolved"`
	Errors     []CellError      `json:"errors"`
	Applied    bool             `json:"applied"`
}

// RowOutcome is what importing one data row does.
type RowOutcome struct {
	Row    int    `json:"row"`
	Kind   string `json:"kind"` // added, updated, unchanged or refused
	ItemID int64  `json:"item_id,omitempty"`
}

// RowChange is one row that adds or changes an item.
type RowChange struct {
	Row     int           `json:"row"`
	Kind    string        `json:"kind"`    // added or updated
	ItemID  int64         `json:"item_id"` // 0 for an addition
	Number  string        `json:"number"`
	Title   string        `json:"title"`
	Version int64         `json:"version"` // the stored version the change is based on
	Fields  []FieldChange `json:"fields"`
}

// FieldChange is one cell that differs from what is stored.
type FieldChange struct {
	Field  string `json:"field"`
	Column string `json:"column"`
	From   string `json:"from"`
	To     string `json:"to"`
	Note   string `json:"note,omitempty"` // how the change will be applied, when not at once
}

// CellError says why a cell (or a row, when Column is empty) is refused:
// Reason alone and Message naming the row and column, both in the
// language of Options.Locale, and Code, the reason's stable code
// (internal/message).
type CellError struct {
	Sheet   string      `json:"sheet"`
	Row     int         `json:"row"`
	Column  string      `json:"column"`
	Code    string      `json:"code"`
	Reason  string      `json:"reason"`
	Message string      `json:"message"`
	text    domain.Text // the reason as written, in English
}

func (e CellError) String() string {
	at := fmt.Sprintf("%s row %d", e.Sheet, e.Row)
	if e.Column != "" {
		at += " column " + e.Column
	}
	return at + ": " + e.Reason
}

// plan is a preview with the items as they will be stored, in row order.
type plan struct {
	Preview
	writes []write
}

// write is one item to create (stored nil) or update from stored.
type write struct {
	next, stored *domain.Item
}

// PreviewImport reads a ledger for a batch and reports, row by row, what
// importing it as actor would change; it writes nothing. Problems with rows and cells
// are in Preview.Errors. Errors: TooLarge (the file, or an XLSX that
// inflates beyond MaxUnzippedBytes), Invalid (a file that cannot be read),
// NotFound (the batch).
func PreviewImport(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*Preview, error) {
	p, err := makePlan(ctx, s, actor, batchID, file, opts)
	if err != nil {
		return nil, err
	}
	return &p.Preview, nil
}

// Import applies a ledger to a batch: every added and changed row or, when
// any row is refused or any unit name unresolved, none, in one transaction
// as actor. Importing the same file again changes nothing. Errors: those of
// PreviewImport, Invalid naming each refused row and cell (the preview is
// returned too), Conflict when an item changed between the preview and the
// write.
func Import(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*Preview, error) {
	p, err := makePlan(ctx, s, actor, batchID, file, opts)
	if err != nil {
		return nil, err
	}
	if len(p.Errors) > 0 {
		e := domain.Errorf(domain.Invalid, "the ledger has %d errors; nothing was imported", len(p.Errors))
		for _, ce := range p.Errors {
			f := fmt.Sprintf("%s!%d", ce.Sheet, ce.Row)
			if ce.Column != "" {
				f += " " + ce.Column
			}
			e.Fields = append(e.Fields, domain.FieldError{Field: f, Reason: ce.text.String(), Text: ce.text})
		}
		return &p.Preview, e
	}
	if len(p.writes) == 0 {
		return &p.Preview, nil
	}
	err = s.Write(ctx, actor, func(tx *store.Tx) error {
		for _, w := range p.writes {
			if w.stored == nil {
				if err := s.Items.CreateTx(ctx, tx, w.next); err != nil {
					return err
				}
				continue
			}
			if err := s.Items.UpdateTxFrom(ctx, tx, w.stored, w.next); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return &p.Preview, err
	}
	// Each write came with its change, in row order: name the items added.
	added := map[int]int64{}
	for i, w := range p.writes {
		p.Changes[i].ItemID = w.next.ID
		added[p.Changes[i].Row] = w.next.ID
	}
	for i, o := range p.Outcomes {
		if id, ok := added[o.Row]; ok {
			p.Outcomes[i].ItemID = id
		}
	}
	p.Applied = true
	return &p.Preview, nil
}

// importer holds what reading the rows of one ledger needs.
type importer struct {
	*plan
	ctx      context.Context
	s        *store.Store
	actor    domain.Actor
	batch    *domain.Batch
	mech     *domain.Mechanism
	g        *grid
	opts     Options
	col      map[string]int   // field → its column + 1, for the fields of one column
	unitCols map[string][]int // lead and cooperating → their columns, in order
	units    *units           // nil when the units are not read
	format   Format
	byID     map[int64]*domain.Item
	byKey    map[string]map[string][]*domain.Item // field → value → items
	seen     map[int64]int                        // item → the row naming it
	added    map[string]int                       // match key of an added row → its row
}

// makePlan reads the file and compares each row with the item it names,
// among those actor may read; a row that names none adds one, and a row
// actor may not write is refused.
func makePlan(ctx context.Context, s *store.Store, actor domain.Actor, batchID int64, file []byte, opts Options) (*plan, error) {
	sh, err := readFile(file, opts.Format, opts.Layout.Sheet)
	if err != nil {
		return nil, err
	}
	b, err := s.Batches.Get(ctx, batchID)
	if err != nil {
		return nil, err
	}
	m, err := s.Mechanisms.Get(ctx, b.MechanismID)
	if err != nil {
		return nil, err
	}
	items, err := batchItems(ctx, s, actor, batchID, 0)
	if err != nil {
		return nil, err
	}
	g, err := readHeaders(&sh, opts.Layout, opts.Mapping)
	if err != nil {
		return nil, err
	}
	im := &importer{
		plan: &plan{Preview: Preview{Sheet: sh.name, Outcomes: []RowOutcome{}, Changes: []RowChange{}, Ignored: []string{}, Missing: []string{},
			Unresolved: []UnresolvedUnit{}, Errors: []CellError{}}},
		ctx: ctx, s: s, actor: actor, batch: b, mech: m, g: g, opts: opts, format: opts.Format,
		col: map[string]int{}, unitCols: map[string][]int{}, byID: map[int64]*domain.Item{},
		byKey: map[string]map[string][]*domain.Item{"number": {}, "title": {}}, seen: map[int64]int{}, added: map[string]int{},
	}
	readUnits := false
	for _, f := range opts.Mapping {
		readUnits = readUnits || f == "lead" || f == "cooperating"
	}
	for i, f := range g.fields {
		switch {
		case f == "":
			if g.paths[i] != "" {
				im.Ignored = append(im.Ignored, im.colName(i))
			}
		case (f == "lead" || f == "cooperating") && readUnits:
			im.unitCols[f] = append(im.unitCols[f], i)
		case im.col[f] != 0:
			im.fail(g.headerLast+1, im.colName(i), domain.Textf("repeats the column of %s", f))
		default:
			im.col[f] = i + 1
			if !columnOf(f).editable && f != "id" && f != "version" && f != "digest" {
				im.Ignored = append(im.Ignored, im.colName(i))
			}
		}
	}
	im.Missing = missingHeaders(g, opts.Mapping)
	if readUnits {
		if im.units, err = loadUnits(ctx, s, m); err != nil {
			return nil, err
		}
	}
	for _, it := range items {
		im.byID[it.ID] = it
		if it.Number != "" {
			im.byKey["number"][it.Number] = append(im.byKey["number"][it.Number], it)
		}
		im.byKey["title"][it.Title] = append(im.byKey["title"][it.Title], it)
	}
	if g.last-g.first+1 > MaxRows {
		return nil, tooManyRows()
	}
	fill := map[int]bool{}
	for i, f := range g.fields {
		if slices.Contains(opts.Layout.FillDown, f) && (f != "lead" && f != "cooperating" || readUnits) {
			fill[i] = true
		}
	}
	// A merged cell of a fill-down column holds for every row it covers;
	// a CSV has no merged cells, so there an empty cell takes the one above.
	sh.spread(func(r, c int) bool { return r >= g.first && fill[c] })
	above := map[int]string{}
	for r := g.first; r <= g.last && r < len(sh.rows); r++ {
		row := sh.rows[r]
		if isNotes(row) {
			im.NotesRow = r + 1 // the notes under the data
			break
		}
		if blank(row) {
			continue
		}
		if opts.Format == CSV {
			for c := range fill {
				if v := strings.TrimSpace(sh.cell(r, c)); v != "" {
					above[c] = sh.cell(r, c)
				} else if above[c] != "" {
					sh.set(r, c, above[c])
				}
			}
		}
		im.Rows++
		im.row(r)
	}
	for _, o := range im.Outcomes {
		switch o.Kind {
		case RowAdded:
			im.Added++
		case RowUpdated:
			im.Changed++
		case RowUnchanged:
			im.Unchanged++
		case RowRefused:
			im.Refused++
		}
	}
	return im.plan, nil
}

// colName names a column as a user finds it: its letter (its number in a
// CSV) and its header.
func (im *importer) colName(i int) string {
	name := strconv.Itoa(i + 1)
	if im.format == XLSX {
		name, _ = excelize.ColumnNumberToName(i + 1)
	}
	return name + " (" + im.g.paths[i] + ")"
}

func (im *importer) fail(row int, column string, reason domain.Text) {
	if len(im.Errors) < maxErrors {
		im.Errors = append(im.Errors, cellError(im.opts.Locale, im.g.name, row, column, reason))
	}
}

// cell is the value of field on row r, and whether the file has its column.
func (im *importer) cell(r int, f string) (string, bool) {
	i := im.col[f]
	if i == 0 {
		return "", false
	}
	return normalise(im.g.cell(r, i-1)), true
}

func (im *importer) outcome(rowNo int, kind string, id int64) {
	im.Outcomes = append(im.Outcomes, RowOutcome{Row: rowNo, Kind: kind, ItemID: id})
}

// row reads data row r (0-based).
func (im *importer) row(r int) {
	rowNo := r + 1
	cell := func(f string) (string, bool) { return im.cell(r, f) }
	refuse := func(column string, reason domain.Text) {
		im.fail(rowNo, column, reason)
		im.outcome(rowNo, RowRefused, 0)
	}
	it, key, why, at := im.match(cell)
	if why.Format != "" {
		c := ""
		if at != "" {
			c = im.colName(im.col[at] - 1)
		}
		refuse(c, why)
		return
	}
	if it != nil {
		if first, dup := im.seen[it.ID]; dup {
			refuse("", domain.Textf("names the same item as row %d", first))
			return
		}
		im.seen[it.ID] = rowNo
		if d, ok := cell("digest"); ok && d != "" && d == digest(func(f string) string { v, _ := cell(f); return v }) {
			im.outcome(rowNo, RowUnchanged, it.ID) // not edited since the export
			return
		}
	} else if key != "" {
		if first, dup := im.added[key]; dup {
			refuse("", domain.Textf("adds the same item as row %d", first))
			return
		}
		im.added[key] = rowNo
	}
	var next domain.Item
	if it != nil {
		next = *it
	} else {
		next = domain.Item{MechanismID: im.batch.MechanismID, BatchID: im.batch.ID, Status: domain.NotStarted,
			Parties: []domain.Party{}, Milestones: []domain.Milestone{}, Custom: map[string]any{}}
	}
	old := &next
	if it != nil {
		old = it
	}
	kind := RowUpdated
	var version int64
	if it == nil {
		kind = RowAdded
	} else {
		version = it.Version
	}
	change := RowChange{Row: rowNo, Kind: kind, Fields: []FieldChange{}, Version: version}
	bad := false
	blankItem := domain.Item{Status: domain.NotStarted}
	for _, c := range layout {
		if !c.editable {
			continue
		}
		v, ok := cell(c.field)
		if !ok || (c.field == "status" && v == "") {
			continue // a blank status leaves it as it is (not started, for an addition)
		}
		from := old
		if it == nil {
			from = &blankItem
		}
		was := normalise(cellOf(c.field, from, nil, store.LedgerContext{}))
		if it != nil && v == was {
			continue
		}
		if err := set(&next, c.field, v); err.Format != "" {
			im.fail(rowNo, im.colName(im.col[c.field]-1), err)
			bad = true
			continue
		}
		now := normalise(cellOf(c.field, &next, nil, store.LedgerContext{}))
		if now == was {
			continue // another spelling of the same value, such as a status code
		}
		if it != nil && alreadyProposed(it, &next, c.field) {
			set(&next, c.field, cellOf(c.field, it, nil, store.LedgerContext{})) // awaiting confirmation
			continue
		}
		change.Fields = append(change.Fields, FieldChange{Field: c.field, Column: im.colName(im.col[c.field] - 1), From: was, To: now})
	}
	if im.units != nil {
		parties, ok := im.parties(r)
		switch {
		case !ok:
			bad = true
		case it != nil && pendingParties(it, parties):
			// already proposed, awaiting confirmation
		case it == nil || !reflect.DeepEqual(parties, it.Parties):
			fc := FieldChange{Field: "parties", Column: im.unitColumns(), To: im.partiesText(parties)}
			if it != nil {
				fc.From = im.partiesText(it.Parties)
			}
			next.Parties = parties
			change.Fields = append(change.Fields, fc)
		}
	}
	if bad {
		im.outcome(rowNo, RowRefused, 0)
		return
	}
	if it != nil && len(change.Fields) == 0 {
		im.outcome(rowNo, RowUnchanged, it.ID)
		return
	}
	if it != nil {
		if v, ok := cell("version"); ok && v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil:
				refuse(im.colName(im.col["version"]-1), domain.Textf("must be the version number the export wrote"))
				return
			case n != it.Version:
				refuse("", domain.Textf("item %d was changed by someone else since this ledger was exported (version %d, now %d); export the ledger again and redo this row", it.ID, n, it.Version))
				return
			}
		}
	}
	if err := im.s.Items.Allowed(im.ctx, im.actor, policy.Write, &next); err != nil {
		refuse("", domain.ErrorText(err))
		return
	}
	if err := next.Validate(); err != nil {
		im.refuseFields(rowNo, err)
		return
	}
	if it == nil {
		if err := next.CheckAgainst(im.mech); err != nil {
			im.refuseFields(rowNo, err)
			return
		}
	}
	change.ItemID, change.Number, change.Title = next.ID, next.Number, next.Title
	if it != nil {
		change.Number, change.Title = it.Number, it.Title
		if err := im.noteHeld(it, &next, &change); err != nil {
			refuse("", domain.ErrorText(err))
			return
		}
	}
	im.Changes = append(im.Changes, change)
	im.outcome(rowNo, kind, next.ID)
	var stored *domain.Item
	if it != nil {
		stored = it
	}
	im.writes = append(im.writes, write{next: &next, stored: stored})
}

// noteHeld notes on each field of change that the two-side rule holds —
// the store applies the same rule when the row is written — which sides
// must confirm it before it takes effect.
func (im *importer) noteHeld(it, next *domain.Item, change *RowChange) error {
	c, err := im.s.TwoSide(im.ctx, im.actor, it, next)
	if err != nil || !c.Held() {
		return err
	}
	var sides []string
	for _, key := range c.Awaiting(c.Acting) {
		if sd := im.mech.Side(key); sd != nil {
			key = sd.Name
		}
		sides = append(sides, key)
	}
	for i, fc := range change.Fields {
		part := domain.HeldPart(fc.Field)
		if fc.Field == "lead" || fc.Field == "cooperating" {
			part = domain.FieldParties // the ledger's columns of the parties
		}
		if slices.Contains(c.Fields, part) {
			change.Fields[i].Note = say(im.opts.Locale, domain.Textf("waits for %s to confirm", strings.Join(sides, "、")))
		}
	}
	return nil
}

// refuseFields refuses a row for the fields an item's validation named.
func (im *importer) refuseFields(rowNo int, err error) {
	for _, fe := range domain.ErrorFields(err) {
		c := ""
		if i := im.col[fe.Field]; i != 0 {
			c = im.colName(i - 1)
		} else if strings.HasPrefix(fe.Field, "parties") {
			c = im.unitColumns()
		}
		im.fail(rowNo, c, domain.Textf("%s %s", fe.Field, fe.ReasonText()))
	}
	if len(domain.ErrorFields(err)) == 0 {
		im.fail(rowNo, "", domain.ErrorText(err))
	}
	im.outcome(rowNo, RowRefused, 0)
}

// match finds the item a row is about: by the hidden id, else by the
// mapping's key (the number by default), else by title. A row whose key
// matches no item adds one; key is then its value, to find a second row
// adding the same item. On failure it says why and which field's column to
// name.
func (im *importer) match(cell func(string) (string, bool)) (it *domain.Item, key string, why domain.Text, at string) {
	if v, ok := cell("id"); ok && v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, "", domain.Textf("must be the item id the export wrote"), "id"
		}
		if it := im.byID[id]; it != nil {
			return it, "", domain.Text{}, ""
		}
		return nil, "", domain.Textf("item %d is not an item of the batch %s that you may see", id, im.batch.Name), "id"
	}
	keys := []string{"number", "title"}
	if im.opts.Layout.MatchKey == "title" {
		keys = []string{"title"}
	}
	for _, f := range keys {
		v, ok := cell(f)
		if !ok || v == "" {
			continue
		}
		switch found := im.byKey[f][v]; len(found) {
		case 0:
			return nil, f + "\x00" + v, domain.Text{}, ""
		case 1:
			return found[0], "", domain.Text{}, ""
		default:
			return nil, "", domain.Textf("%d items of the batch %s have the %s %q; add the 系统编号 column to tell them apart", len(found), im.batch.Name, f, v), f
		}
	}
	return nil, "", domain.Textf("names no item: fill in 系统编号, 编号 or 项目名称"), ""
}

// parties reads the units of row r in the file's order: column by column
// from the left, each cell's units as written. The first unit of the lead
// columns on a side leads that side — or, under a mechanism that names one
// lead for the whole item (Rules.Leads), the first unit of the lead columns
// leads the item — and every other unit cooperates. A side named only in
// the cooperating columns takes part without a lead: nothing is invented
// for it; but a row of a ledger with lead columns names at least one lead.
// It reports false when the row is refused.
func (im *importer) parties(r int) ([]domain.Party, bool) {
	rowNo := r + 1
	overall := im.mech.Rules.Effective().Leads == domain.LeadsOverall
	out := []domain.Party{}
	led := map[string]bool{}
	ok := true
	cols := slices.Concat(im.unitCols["lead"], im.unitCols["cooperating"])
	slices.Sort(cols)
	for _, c := range cols {
		lead := slices.Contains(im.unitCols["lead"], c)
		for _, name := range splitUnits(normalise(im.g.cell(r, c)), im.opts.Layout.UnitSeparators, im.mech) {
			su, why, sugg := im.units.resolve(name)
			if why.Format != "" {
				ok = false
				im.unresolved(name, rowNo, im.colName(c), why, sugg)
				continue
			}
			side, id := su.Side, su.Unit.ID
			if slices.ContainsFunc(out, func(p domain.Party) bool { return p.Side == side && p.OrganizationID == id }) {
				continue // named twice on the side
			}
			role := domain.CooperatingUnit
			if lead && !led[side] && (!overall || len(led) == 0) {
				role, led[side] = domain.LeadUnit, true
			}
			out = append(out, domain.Party{Side: side, OrganizationID: id, Role: role})
		}
	}
	// A ledger that has lead columns names who leads each row: a row
	// whose lead cells are all empty is refused, not imported leaderless.
	if leadCols := im.unitCols["lead"]; ok && len(leadCols) > 0 && len(led) == 0 {
		im.fail(rowNo, im.colName(leadCols[0]), domain.Textf("names no lead unit: the ledger's lead columns are empty on this row"))
		ok = false
	}
	return out, ok
}

// unresolved records a unit name no unit answers to: once in the list of
// names, and as an error on the row.
func (im *importer) unresolved(name string, rowNo int, column string, why domain.Text, sugg []UnitSuggestion) {
	im.fail(rowNo, column, why)
	for i := range im.Unresolved {
		if im.Unresolved[i].Name == name {
			if !slices.Contains(im.Unresolved[i].Rows, rowNo) {
				im.Unresolved[i].Rows = append(im.Unresolved[i].Rows, rowNo)
			}
			return
		}
	}
	if sugg == nil {
		sugg = []UnitSuggestion{}
	}
	im.Unresolved = append(im.Unresolved, UnresolvedUnit{Name: name, Sheet: im.g.name, Row: rowNo, Column: column, Rows: []int{rowNo}, Suggestions: sugg})
}

// unitColumns names the columns the units are read from.
func (im *importer) unitColumns() string {
	var names []string
	for _, f := range []string{"lead", "cooperating"} {
		for _, c := range im.unitCols[f] {
			names = append(names, im.colName(c))
		}
	}
	return strings.Join(names, ", ")
}

// partiesText shows parties in their order, each run of one side's units
// under the side's name: 成都：A（牵头）、B；重庆：C.
func (im *importer) partiesText(parties []domain.Party) string {
	return strings.Join(sideRuns(parties, im.mech, func(p domain.Party) string {
		n := im.units.names[p.OrganizationID]
		if n == "" {
			n = "#" + strconv.FormatInt(p.OrganizationID, 10)
		}
		if p.Role == domain.LeadUnit {
			n += "（牵头）"
		}
		return n
	}), "；")
}

// set writes one editable field; it returns why the value is refused.
func set(it *domain.Item, field, v string) domain.Text {
	switch field {
	case "number":
		it.Number = v
	case "title":
		it.Title = v
	case "content":
		it.Content = v
	case "schedule.q1":
		it.Schedule.Q1 = v
	case "schedule.q2":
		it.Schedule.Q2 = v
	case "schedule.q3":
		it.Schedule.Q3 = v
	case "schedule.q4":
		it.Schedule.Q4 = v
	case "status":
		st, ok := parseStatus(v)
		if !ok {
			return domain.Textf("%q is not a status; choose one of %s", v, strings.Join(StatusLabels(), "、"))
		}
		it.Status = st
	}
	return domain.Text{}
}

// alreadyProposed says whether a change pending on it already proposes
// for field what next sets, so that importing the same ledger again
// proposes nothing twice.
func alreadyProposed(it, next *domain.Item, field string) bool {
	part := domain.HeldPart(field)
	want := normalise(cellOf(field, next, nil, store.LedgerContext{}))
	for _, ch := range it.Pending {
		if part != "" && slices.Contains(ch.Fields, part) && normalise(cellOf(field, ch.Proposed(it, ch.ProposedAt), nil, store.LedgerContext{})) == want {
			return true
		}
	}
	return false
}

// pendingParties is alreadyProposed for the units of an item.
func pendingParties(it *domain.Item, parties []domain.Party) bool {
	for _, ch := range it.Pending {
		if slices.Contains(ch.Fields, "parties") && reflect.DeepEqual(ch.Parties, parties) {
			return true
		}
	}
	return false
}

// missingHeaders lists, in order, the mapping's headers that no column's
// path (nor the last part of it) matches, so a misspelt header does not
// drop its column silently.
func missingHeaders(g *grid, mapping map[string]string) []string {
	have := map[string]bool{}
	for _, p := range g.paths {
		have[p] = true
		if i := strings.LastIndex(p, pathSep); i >= 0 {
			have[p[i+len(pathSep):]] = true
		}
	}
	out := []string{}
	for h := range mapping {
		if !have[headerPath(h)] {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}
