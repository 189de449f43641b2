-- The SMS takes its place under the cap before it goes (a failed attempt clears it again).
UPDATE notification.deliveries SET sent_at = now() WHERE id = $1::uuid
