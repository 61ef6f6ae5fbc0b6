package domain

import "slices"

// PublishableFields are the item fields a mechanism may show the public.
var PublishableFields = []string{"number", "title", "content", "track", "mode", "landmark", "status", "light", "light_reason", "start_on", "end_on", "milestones", "investment"}

// Publication is what a mechanism shows the public without sign-in: when
// Enabled, the listed fields of its items; otherwise nothing at all.
type Publication struct {
	MechanismID int64    `json:"mechanism_id"`
	Enabled     bool     `json:"enabled"`
	Fields      []string `json:"fields"`
	Version     int64    `json:"version"`
}

// Validate reports fields that cannot be published.
func (p *Publication) Validate() error {
	var pr Problems
	for i, f := range p.Fields {
		if !slices.Contains(PublishableFields, f) {
			pr.Addf(indexed("fields", i), "must be one of the publishable fields: %v", PublishableFields)
		}
	}
	return pr.Err()
}

// PublicItem is an item as the public sees it: only the published fields
// are set; the others are absent from its JSON.
type PublicItem map[string]any
