-- Every attempt of a delivery, in order.
SELECT attempt, provider, status, provider_message_id, error, extract(epoch from at)::bigint AS at_s
FROM notification.delivery_attempts WHERE delivery_id = $1::uuid
ORDER BY attempt, id
