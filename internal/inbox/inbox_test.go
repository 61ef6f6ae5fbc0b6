package inbox_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/liandong/liandong/internal/demo"
	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/inbox"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestCounterCountsWhatAroseSinceSeen: the menu's count is every entry
// before the inbox was ever opened, nought once it is, and one when a task
// is then given to the user's unit — the kept inbox is read again because
// the store changed.
func TestCounterCountsWhatAroseSinceSeen(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, unit, group := demoLiaison(t, s, "count@example.gov.cn")
		now := time.Date(2024, 11, 26, 3, 0, 0, 0, time.UTC)
		c := inbox.NewCounter(s)
		in, err := c.Inbox(ctx, u, now)
		if err != nil || in.Total == 0 {
			t.Fatalf("the demo's inbox of 温江: %d entries, %v", in.Total, err)
		}
		if n, err := c.Unread(ctx, u, now); err != nil || n != in.Total {
			t.Errorf("never opened: %d unread, want all %d (%v)", n, in.Total, err)
		}
		if _, err := s.MarkInboxSeen(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Unread(ctx, u, now); err != nil || n != 0 {
			t.Errorf("just opened: %d unread, want 0 (%v)", n, err)
		}
		task := &domain.Task{MechanismID: group.ID, Year: 2024, Content: "新交办的任务", LeadID: unit.ID, Status: domain.TaskOpen}
		if err := s.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Unread(ctx, u, now); err != nil || n != 1 {
			t.Errorf("after a task was given: %d unread, want 1 (%v)", n, err)
		}
	})
}

// TestSourcesTakeOneMore: a further kind (mentions, once comments exist)
// joins by adding a Source; its entries are grouped in Kinds' order.
func TestSourcesTakeOneMore(t *testing.T) {
	s := storetest.MustOpenSQLite(t)
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	u := &domain.User{Email: "mention@example.gov.cn", Name: "秘书", Locale: "zh-CN", Grants: []domain.Grant{{Role: domain.Viewer}}}
	if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	saved := inbox.Sources
	t.Cleanup(func() { inbox.Sources = saved })
	inbox.Sources = append(slices.Clone(saved), func(ctx context.Context, r *inbox.Reader) ([]inbox.Entry, error) {
		return []inbox.Entry{{Key: "mention/comment-1", Kind: inbox.Mention, Title: "@温江 请确认", Link: "/items/1", Arose: r.Now}}, nil
	})
	in, err := inbox.For(ctx, s, u, time.Date(2024, 11, 26, 3, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Groups) != 1 || in.Groups[0].Kind != inbox.Mention || in.Total != 1 {
		t.Fatalf("a viewer's inbox with one mention: %+v", in)
	}
}

// TestCounterSeesALateCommit: a change whose audit event took its id
// before another change's but committed after it still moves the count
// (on PostgreSQL, where commits do not wait for each other; SQLite's one
// writer commits in the order ids are taken). The count read between the
// two commits is kept under a stamp that the late commit must move.
func TestCounterSeesALateCommit(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, unit, group := demoLiaison(t, s, "late@example.gov.cn")
		if _, err := s.MarkInboxSeen(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2024, 11, 26, 3, 0, 0, 0, time.UTC)
		c := inbox.NewCounter(s)
		task := &domain.Task{MechanismID: group.ID, Year: 2024, Content: "晚提交的任务", LeadID: unit.ID, Status: domain.TaskOpen}
		other := &domain.Jurisdiction{Code: "510124", Name: "郫都区（测试）", Kind: domain.District}
		if s.Dialect() != "postgres" {
			// One writer: the task's event is committed before any
			// later id is taken.
			if err := s.Tasks.Create(ctx, domain.Actor{}, task); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Unread(ctx, u, now); err != nil || n != 1 {
				t.Errorf("after a task was given: %d unread, want 1 (%v)", n, err)
			}
			return
		}
		created, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			done <- s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
				if err := s.Tasks.CreateTx(ctx, tx, task); err != nil {
					return err
				}
				close(created)
				<-release
				return nil
			})
		}()
		select {
		case <-created:
		case err := <-done:
			t.Fatal(err)
		}
		// A later id, committed first.
		if err := s.Jurisdictions.Create(ctx, domain.Actor{}, other); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Unread(ctx, u, now); err != nil || n != 0 {
			t.Fatalf("before the task committed: %d unread, want 0 (%v)", n, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, err := s.SealAudit(ctx); err != nil { // what the background sealer does within a moment
			t.Fatal(err)
		}
		if n, err := c.Unread(ctx, u, now); err != nil || n != 1 {
			t.Errorf("after the task committed late: %d unread, want 1 (%v)", n, err)
		}
	})
}

// demoLiaison loads the demo and returns a liaison of 温江区人民政府 with
// email, their unit and the working group.
func demoLiaison(t testing.TB, s *store.Store, email string) (*domain.User, *domain.Organization, *domain.Mechanism) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	page, err := s.Organizations.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "温江区人民政府"}})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("温江: %v", err)
	}
	ms, err := s.Mechanisms.List(ctx, domain.ListQuery{Filters: map[string]string{"q": "成渝双核联动工作组"}})
	if err != nil || len(ms.Items) == 0 {
		t.Fatalf("working group: %v", err)
	}
	u := &domain.User{Email: email, Name: "联络员", Locale: "zh-CN",
		Grants: []domain.Grant{{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: page.Items[0].ID}}}
	if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
		t.Fatal(err)
	}
	return u, page.Items[0], ms.Items[0]
}
