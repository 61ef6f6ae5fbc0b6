package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/liandong/liandong/internal/cycle"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/policy"
)

type taskRow struct {
	Task        *domain.Task
	Lead        string
	Cooperating []string
	Overdue     bool
}

type taskListData struct {
	Rows  []taskRow
	Year  string
	Unit  int64
	Units []*domain.Organization
}

// taskList answers GET /tasks?year=&unit=: the annual tasks, overdue ones
// first, then by due date.
func (h *Handler) taskList(w http.ResponseWriter, r *http.Request) {
	t := h.tr(state(r).locale)
	if err := policy.Check(currentUser(r), policy.Read, "tasks"); err != nil {
		h.fail(w, r, err)
		return
	}
	rf, err := h.loadRefs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := taskListData{Year: r.URL.Query().Get("year"), Unit: queryID(r, "unit"), Units: rf.orgList}
	filters := map[string]string{}
	if d.Year != "" {
		filters["year"] = d.Year
	}
	if d.Unit > 0 {
		filters["unit"] = strconv.FormatInt(d.Unit, 10)
	}
	v := h.newView(r, t.T("tasks.title"), "tasks")
	tasks, err := listAll(r.Context(), currentUser(r), h.store.Tasks, filters)
	switch domain.ErrorCode(err) {
	case "":
	case domain.Invalid:
		v.Error, v.Fields = t.T("items.bad_filter"), fieldMessages(t, err)
	default:
		h.fail(w, r, err)
		return
	}
	for _, tk := range tasks {
		row := taskRow{Task: tk, Lead: rf.orgName(t, tk.LeadID)}
		for _, c := range tk.Cooperating {
			row.Cooperating = append(row.Cooperating, rf.orgName(t, c))
		}
		if tk.Status != domain.TaskDone && !tk.DueOn.IsZero() {
			row.Overdue = tk.DueOn.Before(cycle.Today(rf.mechanisms[tk.MechanismID], h.now()))
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortStableFunc(d.Rows, func(a, b taskRow) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return a.Task.DueOn.Compare(b.Task.DueOn.Time)
	})
	v.Data = d
	h.render(w, r, http.StatusOK, "tasks", v)
}
