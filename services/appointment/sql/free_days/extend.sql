-- Marks the days that entered the practitioners' horizons since they were last published.
SELECT appointment.extend_free_days() AS marked
