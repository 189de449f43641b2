INSERT INTO org.documents (organization_id, document_type, filename, content_type, size_bytes,
  sha256, content, uploaded_by)
VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::uuid)
RETURNING id::text AS id, extract(epoch from created_at)::bigint AS created_at
