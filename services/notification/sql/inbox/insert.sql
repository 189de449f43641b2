-- A new notification in the user's inbox, once per event ($7), with the unread count in the
-- same round trip (the snapshot does not see the new row yet: + 1). No row if it exists.
WITH n AS (
  INSERT INTO notification.notifications (user_id, category, type, title, body, link, event_id)
  VALUES ($1::uuid, $2, $3, $4, $5, $6, $7)
  ON CONFLICT DO NOTHING
  RETURNING id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at)
SELECT n.id AS id, n.at AS at,
       (SELECT count(*) FROM notification.notifications WHERE user_id = $1::uuid AND read_at IS NULL) + 1 AS unread_count
FROM n
