-- The user's SMS sent (or reserved) in the last hour, other than $2.
SELECT count(*) AS sent FROM notification.deliveries
WHERE user_id = $1::uuid AND channel = 'sms' AND sent_at > now() - interval '1 hour' AND id <> $2::uuid
