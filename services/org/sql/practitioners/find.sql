SELECT v.* FROM org.practitioner_profiles v WHERE v.pid = $1::uuid
