-- Takes a two-minute lease on up to 20 due messages (another replica skips them meanwhile),
-- with the end of the user's quiet hours when they are in them now (else NULL).
UPDATE notification.deliveries d SET next_attempt_at = now() + interval '2 minutes'
WHERE d.id IN (SELECT id FROM notification.deliveries
               WHERE status IN ('pending', 'deferred') AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT 20 FOR UPDATE SKIP LOCKED)
RETURNING d.id::text AS id, d.channel, d.recipient, d.subject, d.body, d.html_body,
          coalesce(d.user_id::text, '') AS user_id, d.event_id, d.dlt_template_id, d.attempts,
          d.security, d.urgent, coalesce(d.traceparent, '') AS traceparent,
          (SELECT extract(epoch from (date_trunc('day', l.lt) + p.quiet_end
                                      + CASE WHEN l.lt::time >= p.quiet_end THEN interval '1 day' ELSE interval '0' END)
                                     AT TIME ZONE p.quiet_timezone)
           FROM notification.preferences p
           CROSS JOIN LATERAL (SELECT now() AT TIME ZONE p.quiet_timezone AS lt) l
           WHERE p.user_id = d.user_id AND p.quiet_start IS NOT NULL
             AND CASE WHEN p.quiet_start < p.quiet_end
                      THEN l.lt::time >= p.quiet_start AND l.lt::time < p.quiet_end
                      ELSE l.lt::time >= p.quiet_start OR l.lt::time < p.quiet_end END) AS quiet_until
