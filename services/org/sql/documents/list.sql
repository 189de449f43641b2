SELECT id::text AS id, document_type, filename, content_type, size_bytes, sha256,
       uploaded_by::text AS uploaded_by, extract(epoch from created_at)::bigint AS created_at
FROM org.documents d WHERE d.organization_id = $1::uuid
ORDER BY d.created_at  -- the column, not the output alias
