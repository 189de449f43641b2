UPDATE org.organizations SET status = 'under_review', submitted_at = now(), updated_at = now()
WHERE id = $1::uuid
