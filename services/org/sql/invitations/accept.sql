UPDATE org.invitations SET status = 'accepted', accepted_by = $2::uuid WHERE id = $1::uuid
