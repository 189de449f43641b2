-- A document's bytes; row-level security decides who sees it (members, platform admins).
SELECT content, content_type, filename FROM org.documents
WHERE id = $1::uuid AND organization_id = $2::uuid
