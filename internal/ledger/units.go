package ledger

import (
	"context"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// UnresolvedUnit is a unit name in a ledger that names no unit of the
// mechanism's sides, by its name or an alias, with the closest units. The
// import is refused until the secretariat gives an existing unit the name
// as an alias, creates the unit, or corrects the ledger.
type UnresolvedUnit struct {
	Name        string           `json:"name"`
	Sheet       string           `json:"sheet"`
	Row         int              `json:"row"`    // the first row naming it
	Column      string           `json:"column"` // and its column
	Rows        []int            `json:"rows"`   // every row naming it
	Suggestions []UnitSuggestion `json:"suggestions"`
}

// UnitSuggestion is an existing unit whose name or alias is close to an
// unresolved one.
type UnitSuggestion struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Side  string `json:"side"`
	Alias string `json:"alias,omitempty"` // the alias that came closest, when not the name
}

// maxSuggestions is how many close units the preview offers per name.
const maxSuggestions = 3

// units resolves the unit names of a ledger among the units of a
// mechanism's sides: a name or alias written the same way, blanks and the
// width of brackets aside. Nothing is guessed: a name that matches no unit,
// or several, is unresolved.
type units struct {
	m      *domain.Mechanism
	all    []store.SideUnit
	byName map[string][]int // normalised name or alias → indexes in all
	names  map[int64]string
	// elsewhere looks a name up among all units, to tell a unit outside
	// the sides from one that does not exist.
	elsewhere func(name string) ([]*domain.Organization, error)
	// failed keeps why a name was not resolved, so a name repeated on many
	// rows is looked up and ranked once.
	failed map[string]failure
}

type failure struct {
	why  domain.Text
	sugg []UnitSuggestion
}

func loadUnits(ctx context.Context, s *store.Store, m *domain.Mechanism) (*units, error) {
	all, err := s.SideUnits(ctx, m)
	if err != nil {
		return nil, err
	}
	u := &units{m: m, all: all, byName: map[string][]int{}, names: map[int64]string{}, failed: map[string]failure{}}
	for i, su := range all {
		u.names[su.Unit.ID] = su.Unit.Name
		keys := append([]string{su.Unit.Name}, su.Unit.Aliases...)
		for _, k := range keys {
			k = unitKey(k)
			if !slices.Contains(u.byName[k], i) {
				u.byName[k] = append(u.byName[k], i)
			}
		}
	}
	u.elsewhere = func(name string) ([]*domain.Organization, error) {
		page, err := s.Organizations.List(ctx, domain.ListQuery{Filters: map[string]string{"name": name}, Limit: 5})
		if err != nil {
			return nil, err
		}
		return page.Items, nil
	}
	return u, nil
}

// unitKey is a unit name as compared: no blanks, brackets of one width.
func unitKey(s string) string {
	s = strings.NewReplacer("（", "(", "）", ")").Replace(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// resolve finds the unit a name stands for and its side, or says why not:
// unknown (with suggestions) or outside every side.
func (u *units) resolve(name string) (store.SideUnit, domain.Text, []UnitSuggestion) {
	if f, ok := u.failed[name]; ok {
		return store.SideUnit{}, f.why, f.sugg
	}
	su, why, sugg := u.lookup(name)
	if why.Format != "" {
		u.failed[name] = failure{why, sugg}
	}
	return su, why, sugg
}

func (u *units) lookup(name string) (store.SideUnit, domain.Text, []UnitSuggestion) {
	found := u.byName[unitKey(name)]
	switch len(found) {
	case 1:
		return u.all[found[0]], domain.Text{}, nil
	case 0:
		if others, err := u.elsewhere(name); err == nil && len(others) > 0 {
			var sides []string
			for _, s := range u.m.Sides {
				sides = append(sides, s.Name)
			}
			return store.SideUnit{}, domain.Textf("the unit “%s” lies outside every side of this mechanism (%s) and cannot take part in an item", name, strings.Join(sides, "、")), nil
		}
		sugg := u.closest(name)
		return store.SideUnit{}, domain.Textf("no unit named “%s”%s; give an existing unit this name as an alias, create the unit, or correct the ledger", name, suggestionText(sugg)), sugg
	}
	var sugg []UnitSuggestion
	for _, i := range found[:min(len(found), maxSuggestions)] {
		sugg = append(sugg, UnitSuggestion{ID: u.all[i].Unit.ID, Name: u.all[i].Unit.Name, Side: u.all[i].Side})
	}
	return store.SideUnit{}, domain.Textf("“%s” is the name or alias of %d units%s; say in the ledger which one is meant", name, len(found), suggestionText(sugg)), sugg
}

// suggestionText names the closest units after an unresolved name.
func suggestionText(sugg []UnitSuggestion) domain.Text {
	if len(sugg) == 0 {
		return domain.Text{}
	}
	names := make([]string, len(sugg))
	for i, s := range sugg {
		names[i] = s.Name
	}
	return domain.Textf(" (closest: %s)", strings.Join(names, "、"))
}

// closest ranks the units by how much of the name their name or an alias
// shares (domain.Likeness).
func (u *units) closest(name string) []UnitSuggestion {
	q := []rune(unitKey(name))
	type scored struct {
		s     UnitSuggestion
		score float64
	}
	var best []scored
	for _, su := range u.all {
		top := scored{s: UnitSuggestion{ID: su.Unit.ID, Name: su.Unit.Name, Side: su.Side}}
		for i, k := range append([]string{su.Unit.Name}, su.Unit.Aliases...) {
			r := []rune(unitKey(k))
			if sc := domain.Likeness(q, r); sc > top.score {
				top.score = sc
				top.s.Alias = ""
				if i > 0 {
					top.s.Alias = k
				}
			}
		}
		if top.score >= 0.4 {
			best = append(best, top)
		}
	}
	sort.SliceStable(best, func(i, j int) bool {
		if best[i].score != best[j].score {
			return best[i].score > best[j].score
		}
		return best[i].s.Name < best[j].s.Name
	})
	out := []UnitSuggestion{}
	for i := 0; i < len(best) && i < maxSuggestions; i++ {
		out = append(out, best[i].s)
	}
	return out
}

// splitUnits splits a cell naming several units at the separators, in
// order. A leading side name ("成都：…", as the export writes a line) is
// dropped.
func splitUnits(cell, separators string, m *domain.Mechanism) []string {
	if separators == "" {
		separators = domain.DefaultUnitSeparators
	}
	var out []string
	for _, line := range strings.Split(cell, "\n") {
		for _, s := range m.Sides {
			for _, colon := range []string{"：", ":"} {
				line = strings.TrimPrefix(strings.TrimSpace(line), s.Name+colon)
			}
		}
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return strings.ContainsRune(separators, r) || r == '\r' }) {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
