package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
)

func mustCatalogues(t *testing.T) catalogues {
	t.Helper()
	c, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCataloguesAgree: every key of one language exists in the other, and
// no text is empty.
func TestCataloguesAgree(t *testing.T) {
	c := mustCatalogues(t)
	for _, a := range domain.Locales {
		for _, b := range domain.Locales {
			for k, v := range c[a] {
				if _, ok := c[b][k]; !ok {
					t.Errorf("key %q is in %s but not in %s", k, a, b)
				}
				if strings.TrimSpace(v) == "" {
					t.Errorf("key %q is empty in %s", k, a)
				}
			}
		}
	}
}

var (
	templateKey = regexp.MustCompile(`\b(?:t|tf) "([^"]+)"`)
	enumKey     = regexp.MustCompile(`\bkey "([a-z_]+)"`)
	goKey       = regexp.MustCompile(`\bt\.(?:T|F)\("([^"]+)"`)
)

// enumValues are the values each dynamic key prefix (key "status" .Status)
// may be given; every one needs a text.
var enumValues = map[string][]string{
	"status":         strs(domain.ItemStatuses),
	"light":          strs(domain.Lights[1:]),
	"tier":           strs(domain.Tiers),
	"cadence":        strs(domain.Cadences),
	"problem_status": {string(domain.ProblemOpen), string(domain.ProblemResolved)},
	"report_status":  {string(domain.Draft), string(domain.Submitted)},
	"task_status":    {string(domain.TaskOpen), string(domain.TaskAdvancing), string(domain.TaskDone)},
	"format":         strs(domain.MeetingFormats),
	"agenda":         strs(domain.AgendaKinds),
	"meeting_status": strs(domain.MeetingStatuses),
	"agreement_kind": strs(domain.AgreementKinds),
	"service_mode":   strs(domain.ServiceModes),
	"adoption":       {string(domain.Planned), string(domain.Adopted), string(domain.Declined)},
	"action":         {"create", "update", "archive", "restore", "propose", "confirm", "stale", "reject", "publish", "revoke"},
	"jkind":          strs(domain.JurisdictionKinds),
	"change_field":   {"title", "period", "targets", "status", "parties", "milestones", "archived", "mechanism_id", "batch_id"},
	"okind":          strs(domain.OrganizationKinds),
	"role":           strs(domain.Roles),
	"scope":          {"mechanism", "jurisdiction", "organization"},
	"locale":         domain.Locales,
	"ledger_field":   append(slices.Clone(domain.LedgerFields), "parties"),
	"import_kind":    {"added", "updated", "unchanged", "refused"},
	"quarter":        {"1", "2", "3", "4"},
	"inbox_kind":     strs(inbox.Kinds),
	"need_kind":      {string(decideProblem), string(decideItem), string(decideMilestone)},
	"change_kind":    {"items", "problems", "reports"},
}

func strs[S ~string](v []S) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

// TestTemplateKeysExist: every key a template or handler names, and every
// value of every enum a template shows through "key", has a text in both
// languages.
func TestTemplateKeysExist(t *testing.T) {
	c := mustCatalogues(t)
	used := map[string]string{} // key → where
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFiles.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = p
		}
		for _, m := range enumKey.FindAllStringSubmatch(string(b), -1) {
			vals, ok := enumValues[m[1]]
			if !ok {
				t.Errorf("%s: key prefix %q has no list of values in enumValues", p, m[1])
			}
			for _, v := range vals {
				used[m[1]+"."+v] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, _ := filepath.Glob("*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") { // prefixes completed at run time are covered above
				used[m[1]] = f
			}
		}
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys; is the scan broken?", len(used))
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, loc := range domain.Locales {
			if _, ok := c[loc][k]; !ok {
				t.Errorf("%s uses key %q, missing in %s", used[k], k, loc)
			}
		}
	}
}

// TestTemplatesParse: every page parses in every language (New does it;
// this names the failure).
func TestTemplatesParse(t *testing.T) {
	h := &Handler{}
	var err error
	if h.assets, err = loadAssets(); err != nil {
		t.Fatal(err)
	}
	if h.cat, err = loadCatalogues(); err != nil {
		t.Fatal(err)
	}
	pages, err := h.parseTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range domain.Locales {
		if len(pages[loc]) < 15 {
			t.Errorf("%s: %d pages parsed", loc, len(pages[loc]))
		}
	}
}
