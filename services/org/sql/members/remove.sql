-- Removes a member's roles in an organization (only role $3 unless it is '').
DELETE FROM org.members
WHERE organization_id = $1::uuid AND user_id = $2::uuid AND ($3 = '' OR role = $3)
RETURNING role
