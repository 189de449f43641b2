-- One message of an event for one recipient and channel, once ($1 event, $2 user id or '';
-- $15 the queuing span's traceparent or NULL).
INSERT INTO notification.deliveries (event_id, user_id, channel, recipient, subject, body, html_body, status,
                                     event_type, category, locale, security, urgent, dlt_template_id,
                                     traceparent)
VALUES ($1, nullif($2, '')::uuid, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT DO NOTHING
