package store

import "github.com/liandong/liandong/internal/domain"

func (s *Store) register() {
	s.Jurisdictions = &Records[domain.Jurisdiction, *domain.Jurisdiction]{s, jurisdictions}
	s.Organizations = &Records[domain.Organization, *domain.Organization]{s, organizations}
	s.Mechanisms = &Records[domain.Mechanism, *domain.Mechanism]{s, mechanisms}
	s.Meetings = &Records[domain.Meeting, *domain.Meeting]{s, meetings}
	s.Batches = &Records[domain.Batch, *domain.Batch]{s, batches}
	s.Items = items.records(s)
	s.Reports = &Records[domain.Report, *domain.Report]{s, reports}
	s.Problems = &Records[domain.Problem, *domain.Problem]{s, problems}
	s.Tasks = &Records[domain.Task, *domain.Task]{s, tasks}
	s.Agreements = &Records[domain.Agreement, *domain.Agreement]{s, agreements}
	s.Catalogs = &Records[domain.Catalog, *domain.Catalog]{s, catalogs}
	s.CatalogEntries = &Records[domain.CatalogEntry, *domain.CatalogEntry]{s, catalogEntries}
	s.Indicators = &Records[domain.Indicator, *domain.Indicator]{s, indicators}
	s.Users = &Records[domain.User, *domain.User]{s, users}
}

// records binds a table to a store.
func (t *table[T, P]) records(s *Store) *Records[T, P] { return &Records[T, P]{s, t} }
