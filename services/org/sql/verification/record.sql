-- One entry of an organization's verification history ('' for no from/decision/reason).
INSERT INTO org.verification_history (organization_id, from_status, to_status, actor_id, decision,
  reason)
VALUES ($1::uuid, nullif($2, ''), $3, $4::uuid, nullif($5, ''), nullif($6, ''))
