-- The organization's status, locked for a transition.
SELECT status FROM org.organizations WHERE id = $1::uuid FOR UPDATE
