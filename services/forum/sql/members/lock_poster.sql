-- A poster's member row, locked for the post being written: approved posts and suspension.
SELECT approved_posts, suspended_until > now() AS suspended,
       to_char(suspended_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS suspended_until
FROM forum.members WHERE user_id = $1::uuid FOR UPDATE
