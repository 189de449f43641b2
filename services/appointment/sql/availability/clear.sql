-- Every weekly rule, extra hours and time off of a practitioner (availability is replaced whole).
WITH rules AS (DELETE FROM appointment.weekly_rules WHERE practitioner_id = $1::uuid),
     extra AS (DELETE FROM appointment.extra_hours WHERE practitioner_id = $1::uuid)
DELETE FROM appointment.time_off WHERE practitioner_id = $1::uuid
