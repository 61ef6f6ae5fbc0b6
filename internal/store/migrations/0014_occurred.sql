-- Effective dates, issue 10: a fact carries the day it happened apart from
-- the moment it was recorded. An audit event states the day its change
-- happened (NULL: when it was recorded) and how much of that day is known
-- (day, month or year); an escalation, the day the step was taken.
ALTER TABLE audit_events ADD COLUMN occurred_on TEXT;
ALTER TABLE audit_events ADD COLUMN occurred_precision TEXT;
ALTER TABLE problem_escalations ADD COLUMN occurred_on TEXT;
