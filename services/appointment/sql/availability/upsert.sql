-- A practitioner's booking settings, created or replaced.
-- $1 practitioner, $2 practitioner's user, $3 time zone, $4 minimum notice (min), $5 horizon
-- (days), $6 has a daily cap, $7 the cap, $8 cancellation cutoff (min), $9 who changed it.
INSERT INTO appointment.availability (practitioner_id, practitioner_user_id, timezone,
    min_notice_minutes, horizon_days, max_bookings_per_day, cancellation_cutoff_minutes,
    updated_by)
VALUES ($1::uuid, $2::uuid, $3, $4, $5, CASE WHEN $6 THEN $7::int END, $8, $9::uuid)
ON CONFLICT (practitioner_id) DO UPDATE SET
    timezone = EXCLUDED.timezone,
    min_notice_minutes = EXCLUDED.min_notice_minutes,
    horizon_days = EXCLUDED.horizon_days,
    max_bookings_per_day = EXCLUDED.max_bookings_per_day,
    cancellation_cutoff_minutes = EXCLUDED.cancellation_cutoff_minutes,
    updated_by = EXCLUDED.updated_by,
    updated_at = now()
