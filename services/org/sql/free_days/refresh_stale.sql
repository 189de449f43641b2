-- The sweep of search's read model: next free days that stopped being bookable as time
-- passed, refreshed a batch at a time (migration V0009). Returns how many changed.
SELECT org.refresh_stale_next_free($1) AS refreshed
