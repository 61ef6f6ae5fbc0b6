// Package gen generates a deterministic, national-scale dataset for
// measuring Liandong: every regional cooperation mechanism of a country on
// one installation. Records go through the store like any other, so they
// obey every rule and carry their audit events; the same seed gives the
// same data on SQLite and PostgreSQL.
package gen

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/liandong/liandong/internal/domain"
	"github.com/liandong/liandong/internal/store"
)

// Scale is how many records of each noun to make.
type Scale struct {
	Jurisdictions int
	Units         int
	Mechanisms    int
	Items         int
	Reports       int
	Problems      int
	Tasks         int
}

// National is the scale of the performance targets: one installation for
// every regional cooperation mechanism in the country.
var National = Scale{Jurisdictions: 3000, Units: 10000, Mechanisms: 300, Items: 100_000, Reports: 1_000_000, Problems: 200_000, Tasks: 100_000}

// Times returns s with every count multiplied by f (at least one of each).
func (s Scale) Times(f float64) Scale {
	m := func(n int) int { return max(1, int(float64(n)*f)) }
	return Scale{m(s.Jurisdictions), m(s.Units), m(s.Mechanisms), m(s.Items), m(s.Reports), m(s.Problems), m(s.Tasks)}
}

// batchSize is how many records one transaction writes: large enough that
// commits do not dominate, small enough that a failure loses little.
const batchSize = 500

// generator holds the ids made so far, for later records to refer to.
type generator struct {
	s        *store.Store
	rnd      *rand.Rand
	out      io.Writer
	juris    []int64
	units    []int64
	unitSide []string // for each unit, the side it stands on in its mechanism
	mechs    []*domain.Mechanism
	mechUnit [][]int // unit indexes per mechanism, per side: even = side a, odd = side b
	items    []itemRef
}

type itemRef struct {
	id, mech int64
	leads    [2]int64
}

// Generate writes a dataset of the given scale, reproducibly from seed.
func Generate(ctx context.Context, s *store.Store, scale Scale, seed uint64, progress io.Writer) error {
	g := &generator{s: s, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), out: progress}
	// The clock is part of the data: fix it so timestamps repeat too.
	clock := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for _, step := range []struct {
		name string
		n    int
		make func(ctx context.Context, tx *store.Tx, i int) error
	}{
		{"jurisdictions", scale.Jurisdictions, g.jurisdiction},
		{"units", scale.Units, g.unit},
		{"mechanisms", scale.Mechanisms, g.mechanism},
		{"items", scale.Items, g.item},
		{"reports", scale.Reports, g.report},
		{"problems", scale.Problems, g.problem},
		{"tasks", scale.Tasks, g.task},
	} {
		start := time.Now()
		for from := 0; from < step.n; from += batchSize {
			to := min(step.n, from+batchSize)
			err := s.Write(ctx, domain.Actor{}, func(tx *store.Tx) error {
				for i := from; i < to; i++ {
					if err := step.make(ctx, tx, i); err != nil {
						return fmt.Errorf("%s %d: %w", step.name, i, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if progress != nil {
			fmt.Fprintf(progress, "%-13s %9d in %s\n", step.name, step.n, time.Since(start).Round(time.Millisecond))
		}
	}
	start := time.Now()
	if err := s.RefreshStatistics(ctx); err != nil {
		return err
	}
	if progress != nil {
		fmt.Fprintf(progress, "%-13s %9s in %s\n", "statistics", "", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func (g *generator) pick(list []string) string { return list[g.rnd.IntN(len(list))] }

func (g *generator) jurisdiction(ctx context.Context, tx *store.Tx, i int) error {
	j := &domain.Jurisdiction{Record: domain.Record{Source: "liandong gen"}}
	switch {
	case i < 31:
		j.Name, j.Kind = provinces[i%len(provinces)]+"省", domain.Province
	case i < 31+300:
		j.ParentID = g.juris[g.rnd.IntN(31)]
		j.Name, j.Kind = g.pick(placeHeads)+g.pick(placeTails)+"市", domain.City
	default:
		j.ParentID = g.juris[31+g.rnd.IntN(min(300, len(g.juris)-31))]
		j.Name, j.Kind = g.pick(placeHeads)+g.pick(placeTails)+g.pick([]string{"区", "县"}), domain.District
		if j.Name[len(j.Name)-3:] == "县" {
			j.Kind = domain.County
		}
	}
	if err := g.s.Jurisdictions.CreateTx(ctx, tx, j); err != nil {
		return err
	}
	g.juris = append(g.juris, j.ID)
	return nil
}

func (g *generator) unit(ctx context.Context, tx *store.Tx, i int) error {
	o := &domain.Organization{JurisdictionID: g.juris[g.rnd.IntN(len(g.juris))], Kind: domain.Department, Record: domain.Record{Source: "liandong gen"}}
	o.Name = fmt.Sprintf("%s%s%d", g.pick(placeHeads), g.pick(departments), i)
	if err := g.s.Organizations.CreateTx(ctx, tx, o); err != nil {
		return err
	}
	g.units = append(g.units, o.ID)
	return nil
}

// mechanism pairs two regions; its units are a slice of the units, half
// on each side.
func (g *generator) mechanism(ctx context.Context, tx *store.Tx, i int) error {
	a, b := g.pick(provinces), g.pick(provinces)
	m := &domain.Mechanism{Name: fmt.Sprintf("%s%s协同发展工作组%d", a, b, i), Tier: domain.Tiers[i%3], TimeZone: "Asia/Shanghai", Cadence: domain.Monthly,
		Sides:  []domain.Side{{Key: "a", Name: a}, {Key: "b", Name: b}},
		Tracks: tracks, Modes: modes, Record: domain.Record{Source: "liandong gen"}}
	per := max(2, len(g.units)/max(1, len(g.units)/40))
	start := (i * per) % len(g.units)
	var idx []int
	for k := 0; k < per && k < len(g.units); k++ {
		u := (start + k) % len(g.units)
		side := "a"
		if k%2 == 1 {
			side = "b"
		}
		m.Members = append(m.Members, domain.Member{OrganizationID: g.units[u], Side: side, Role: domain.MemberUnit})
		idx = append(idx, u)
	}
	if err := g.s.Mechanisms.CreateTx(ctx, tx, m); err != nil {
		return err
	}
	g.mechs = append(g.mechs, m)
	g.mechUnit = append(g.mechUnit, idx)
	return nil
}

func (g *generator) item(ctx context.Context, tx *store.Tx, i int) error {
	mi := i % len(g.mechs)
	m, members := g.mechs[mi], g.mechUnit[mi]
	leadA, leadB := g.units[members[(2*g.rnd.IntN(len(members)/2+1))%len(members)]], g.units[members[(2*g.rnd.IntN(len(members)/2+1)+1)%len(members)]]
	if leadA == leadB {
		leadB = 0
	}
	it := &domain.Item{MechanismID: m.ID, Number: fmt.Sprintf("%d-%d", mi+1, i+1), Title: g.pick(verbs) + g.pick(objects), Status: domain.ItemStatuses[g.rnd.IntN(3)],
		Track: tracks[g.rnd.IntN(len(tracks))].Key, Mode: modes[g.rnd.IntN(len(modes))].Key, Landmark: g.rnd.IntN(10) == 0,
		Content: g.sentence(4), Record: domain.Record{Source: "liandong gen"}}
	it.Parties = []domain.Party{{Side: "a", OrganizationID: leadA, Role: domain.LeadUnit}}
	if leadB != 0 {
		it.Parties = append(it.Parties, domain.Party{Side: "b", OrganizationID: leadB, Role: domain.LeadUnit})
	}
	due := time.Date(2024+g.rnd.IntN(3), time.Month(1+g.rnd.IntN(12)), 1+g.rnd.IntN(28), 0, 0, 0, 0, time.UTC)
	it.Milestones = []domain.Milestone{{Title: g.pick(objects) + "完成", DueOn: domain.NewDate(due.Year(), due.Month(), due.Day())}}
	it.Light = domain.Lights[1+g.rnd.IntN(4)]
	if err := g.s.Items.CreateTx(ctx, tx, it); err != nil {
		return err
	}
	ref := itemRef{id: it.ID, mech: m.ID, leads: [2]int64{leadA, leadB}}
	g.items = append(g.items, ref)
	return nil
}

// report makes one progress report; each item gets reports for successive
// months from each lead unit, so (item, unit, period) never repeats.
func (g *generator) report(ctx context.Context, tx *store.Tx, i int) error {
	ref := g.items[i%len(g.items)]
	round := i / len(g.items)
	unit := ref.leads[round%2]
	if unit == 0 {
		unit = ref.leads[0]
	}
	month := round / 2
	if ref.leads[1] == 0 {
		month = round
	}
	period := fmt.Sprintf("%d-%02d", 2020+month/12, 1+month%12)
	r := &domain.Report{ItemID: ref.id, OrganizationID: unit, Period: period, Text: g.sentence(3), Percent: min(100, 5*(round+1)), Status: domain.Submitted, Record: domain.Record{Source: "liandong gen"}}
	return g.s.Reports.CreateTx(ctx, tx, r)
}

func (g *generator) problem(ctx context.Context, tx *store.Tx, i int) error {
	ref := g.items[g.rnd.IntN(len(g.items))]
	p := &domain.Problem{MechanismID: ref.mech, ItemID: ref.id, Title: g.pick(objects) + g.pick(blockers), Description: g.sentence(2),
		Tier: domain.Tiers[g.rnd.IntN(3)], Status: domain.ProblemOpen, Record: domain.Record{Source: "liandong gen"},
		Responsible: []domain.ResponsibleUnit{{Side: "a", OrganizationID: ref.leads[0]}}}
	if g.rnd.IntN(3) == 0 {
		p.Status, p.Resolution = domain.ProblemResolved, "经协调已解决"
	}
	return g.s.Problems.CreateTx(ctx, tx, p)
}

func (g *generator) task(ctx context.Context, tx *store.Tx, i int) error {
	ref := g.items[g.rnd.IntN(len(g.items))]
	t := &domain.Task{MechanismID: ref.mech, Year: 2023 + g.rnd.IntN(3), Content: g.pick(verbs) + g.pick(objects) + "年度任务", LeadID: ref.leads[0],
		Status: domain.TaskOpen, DueOn: domain.NewDate(2025, time.Month(1+g.rnd.IntN(12)), 28), Record: domain.Record{Source: "liandong gen"}}
	if ref.leads[1] != 0 {
		t.Cooperating = []int64{ref.leads[1]}
	}
	return g.s.Tasks.CreateTx(ctx, tx, t)
}

// sentence strings together n clauses of plausible working-group prose.
func (g *generator) sentence(n int) string {
	s := ""
	for i := 0; i < n; i++ {
		s += g.pick(verbs) + g.pick(objects) + g.pick(connectives)
	}
	return s + "。"
}
