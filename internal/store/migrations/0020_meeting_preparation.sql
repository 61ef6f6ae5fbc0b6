-- Meetings prepared in the browser, issue 13: who chairs a meeting, and
-- whether it is still a draft the secretariat prepares (its agenda receives
-- escalated problems, its pack runs to today) or was held. Every meeting
-- recorded before this took place.
ALTER TABLE meetings ADD COLUMN chair TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN status TEXT NOT NULL DEFAULT 'held';
