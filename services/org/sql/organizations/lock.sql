-- Serializes changes of one organization (e.g. of its admins) until the transaction ends.
SELECT 1 AS locked FROM org.organizations WHERE id = $1::uuid FOR UPDATE
