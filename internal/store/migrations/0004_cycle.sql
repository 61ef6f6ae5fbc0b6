-- Reporting periods, traffic lights and the escalation ladder: each
-- mechanism's rules (light thresholds, grace days, tier time limits) as JSON
-- TEXT; '{}' means every default applies.

ALTER TABLE mechanisms ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
