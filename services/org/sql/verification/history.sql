SELECT coalesce(from_status, '') AS from_status, to_status, actor_id::text AS actor_id,
       coalesce(decision, '') AS decision, reason, extract(epoch from at)::bigint AS at
FROM org.verification_history WHERE organization_id = $1::uuid ORDER BY id
