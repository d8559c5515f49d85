-- A webhook event whose episode ended (an export or training mark) before it was
-- delivered is closed as `superseded` instead of being sent.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_state_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_state_check
    CHECK (state IN ('pending', 'delivered', 'failed', 'superseded'));
