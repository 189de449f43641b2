-- Applies one appointment.free_days event to the search read model (migration V0004).
SELECT org.apply_free_days($1::jsonb) AS days
