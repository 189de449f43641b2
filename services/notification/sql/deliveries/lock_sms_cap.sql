-- Serializes the hourly SMS cap of one user (until the transaction ends).
SELECT pg_advisory_xact_lock(hashtext('sms-cap:' || $1))
