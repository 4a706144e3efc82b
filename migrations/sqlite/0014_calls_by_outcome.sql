-- /metrics counts calls by outcome and the wait before a person at every scrape: this index
-- holds all three columns, so both are read from it alone, never from the calls' rows.
CREATE INDEX calls_by_outcome ON calls (outcome, answered_at, started_at);
