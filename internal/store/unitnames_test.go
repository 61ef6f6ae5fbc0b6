package store_test

import (
	"context"
	"testing"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
	"github.com/liandong/liandong/internal/store/storetest"
)

// TestSecretariatNamesTheUnitsOfItsLedgers: the secretariat that brings a
// ledger in resolves the names it does not know — an alias for a unit of a
// side, a new unit in a side's jurisdiction — and nobody else does: not a
// liaison, not the secretariat of another mechanism, and not for a unit
// outside the mechanism's sides.
func TestSecretariatNamesTheUnitsOfItsLedgers(t *testing.T) {
	storetest.ForEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		beijing := mustCreate(t, s.Jurisdictions, &domain.Jurisdiction{Code: "110000", Name: "北京市", Kind: domain.Municipality})
		outsider := mustCreate(t, s.Organizations, &domain.Organization{JurisdictionID: beijing.ID, Name: "北京市发展和改革委员会", Kind: domain.Department})
		m := mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "双城工作组", Tier: domain.Coordination, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
			Sides: []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: w.cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: w.cq.ID}}})
		other := mustCreate(t, s.Mechanisms, &domain.Mechanism{Name: "另一工作组", Tier: domain.Coordination, TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
			Sides: []domain.Side{{Key: "chengdu", Name: "成都", JurisdictionID: w.cd.ID}, {Key: "chongqing", Name: "重庆", JurisdictionID: w.cq.ID}}})
		user := func(email string, g domain.Grant) domain.Actor {
			u := &domain.User{Email: email, Name: email, Locale: "zh-CN", Grants: []domain.Grant{g}}
			if err := s.Users.Create(ctx, domain.Actor{}, u); err != nil {
				t.Fatal(err)
			}
			return domain.ActorFor(u)
		}
		secretariat := user("sec@example.gov.cn", domain.Grant{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: m.ID})
		otherSecretariat := user("other@example.gov.cn", domain.Grant{Role: domain.SecretariatRole, ScopeKind: domain.MechanismScope, ScopeID: other.ID})
		liaison := user("liaison@example.gov.cn", domain.Grant{Role: domain.Liaison, ScopeKind: domain.OrganizationScope, ScopeID: w.wjGov.ID})

		// The secretariat maps 温江区政府, as a ledger writes it, to the
		// district's government (a unit below a side's jurisdiction).
		o, err := s.NameUnit(ctx, secretariat, m.ID, w.wjGov.ID, "温江区政府")
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Organizations.Get(ctx, w.wjGov.ID); len(got.Aliases) != 1 || got.Aliases[0] != "温江区政府" || o.Name != "温江区人民政府" {
			t.Errorf("after naming: %+v", got)
		}
		created := &domain.Organization{JurisdictionID: w.bn.ID, Name: "巴南区经济和信息化委员会", Kind: domain.Department}
		if err := s.CreateUnitFor(ctx, secretariat, m.ID, created); err != nil || created.ID == 0 {
			t.Fatalf("create a unit in a side's district: %v", err)
		}

		for _, c := range []struct {
			what string
			err  error
			code domain.Code
		}{
			{"a liaison names a unit", second(s.NameUnit(ctx, liaison, m.ID, w.bnGov.ID, "巴南区政府")), domain.Forbidden},
			{"another mechanism's secretariat names a unit", second(s.NameUnit(ctx, otherSecretariat, m.ID, w.bnGov.ID, "巴南区政府")), domain.Forbidden},
			{"a liaison creates a unit", s.CreateUnitFor(ctx, liaison, m.ID, &domain.Organization{JurisdictionID: w.cd.ID, Name: "成都市某局", Kind: domain.Department}), domain.Forbidden},
			{"a unit outside the sides", second(s.NameUnit(ctx, secretariat, m.ID, outsider.ID, "北京发改委")), domain.Invalid},
			{"a new unit outside the sides", s.CreateUnitFor(ctx, secretariat, m.ID, &domain.Organization{JurisdictionID: beijing.ID, Name: "北京市某局", Kind: domain.Department}), domain.Invalid},
			{"an empty name", second(s.NameUnit(ctx, secretariat, m.ID, w.bnGov.ID, " ")), domain.Invalid},
		} {
			if got := domain.ErrorCode(c.err); got != c.code {
				t.Errorf("%s: %v, want %s", c.what, c.err, c.code)
			}
		}
		if got, _ := s.Organizations.Get(ctx, w.bnGov.ID); len(got.Aliases) != 0 {
			t.Errorf("a refused naming kept an alias: %v", got.Aliases)
		}
		// Naming units is not editing them: the secretariat still may not
		// rename a unit through the record itself.
		u, _ := s.Organizations.Get(ctx, w.bnGov.ID)
		u.Name = "巴南区政府"
		if err := s.Organizations.Update(ctx, secretariat, u); domain.ErrorCode(err) != domain.Forbidden {
			t.Errorf("the secretariat renamed a unit: %v", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }
