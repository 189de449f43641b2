-- The profile photo (JPEG) of practitioner $1.
SELECT jpeg FROM org.practitioner_photos WHERE practitioner_id = $1::uuid
