SELECT pg_advisory_xact_lock(hashtext('healthtech.iam.signing_keys'))
