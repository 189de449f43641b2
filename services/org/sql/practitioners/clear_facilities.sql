DELETE FROM org.practitioner_facilities WHERE practitioner_id = $1::uuid
