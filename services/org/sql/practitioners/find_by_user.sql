SELECT v.* FROM org.practitioner_profiles v WHERE v.uid = $1::uuid
