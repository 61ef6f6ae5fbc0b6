package domain

// MaxPageSize bounds one page of a list.
const MaxPageSize = 200

// DefaultPageSize is the page size when the caller gives none.
const DefaultPageSize = 50

// ListQuery asks for one page of a list. Filters are by name (status, track,
// batch …); each list documents the names it accepts and refuses others.
type ListQuery struct {
	Filters  map[string]string
	Sort     string // a sort key the list accepts; "" is by id
	Desc     bool
	Limit    int
	Cursor   string // opaque, from the previous page's NextCursor
	Archived bool   // include archived records
	// Summary lists records as the rows of a list page show them: the
	// children no row shows (an item's milestones and pending changes)
	// and the fields none shows (its content, light reason, custom
	// fields and schedule) are left empty rather than read.
	Summary bool
	// Viewer is the user the list is for; it holds only what the policy
	// lets them read. Nil lists everything (the system's view).
	Viewer *User
	// Count asks for Page.Total, counted in the same query as the page:
	// a list page shows how many records its filters select, and a
	// second query for it was a second round trip to the database.
	Count bool
}

// Page is one page of a list. NextCursor is empty on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
	// Total is, when ListQuery.Count asked for it, how many records the
	// filters select on all pages; -1 when the page holds no row to
	// carry the count (a cursor past the end).
	Total int `json:"-"`
}
