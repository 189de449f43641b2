-- A practitioner's booking settings.
SELECT timezone, min_notice_minutes, horizon_days, max_bookings_per_day,
       cancellation_cutoff_minutes, extract(epoch from updated_at)::bigint AS updated_s
  FROM appointment.availability WHERE practitioner_id = $1::uuid
