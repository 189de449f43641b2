-- A delivery's status.
SELECT status FROM notification.deliveries WHERE id = $1::uuid
