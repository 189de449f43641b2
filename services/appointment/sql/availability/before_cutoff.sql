-- Whether the patient may still cancel or move appointment $1 online: before the
-- practitioner's cancellation cutoff (240 minutes when unset).
SELECT now() <= a.start_at - make_interval(mins => coalesce(av.cancellation_cutoff_minutes, 240))
       AS before_cutoff
  FROM appointment.appointments a
  LEFT JOIN appointment.availability av ON av.practitioner_id = a.practitioner_id
 WHERE a.id = $1::uuid
