-- Matches are filtered and ranked on the narrow forum.post_search rows (with copies of the
-- thread's category and status); only the page is joined to threads and posts. $2: the
-- statuses the caller may find; $3: category id or ''; $4: tag or ''. The headline marks
-- matches with \x02 and \x03 (turned into <mark> after escaping).
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),
hits AS (
  SELECT p.post_id AS id, p.thread_id, p.author_id, p.created_at, ts_rank(p.search, q.q) AS rank
  FROM q, forum.post_search p
  WHERE p.search @@ q.q AND p.status = ANY($2::text[]) AND p.thread_status = ANY($2::text[]) AND
        ($3 = '' OR p.category_id = nullif($3, '')::uuid) AND
        ($4 = '' OR EXISTS (SELECT 1 FROM forum.threads t WHERE t.id = p.thread_id AND t.tags @> ARRAY[$4]::text[]))
  ORDER BY rank DESC, p.created_at DESC, p.post_id LIMIT $5 OFFSET $6)
SELECT h.thread_id::text AS thread_id, h.id::text AS post_id, t.title, t.category_id::text AS category_id,
       ts_headline('english', b.body_text, q.q,
                   E'StartSel="\x02", StopSel="\x03", MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
         AS headline,
       h.rank, coalesce(m.display_name, '') AS author_name, extract(epoch from h.created_at)::bigint AS created_s
FROM hits h JOIN forum.threads t ON t.id = h.thread_id JOIN forum.posts b ON b.id = h.id CROSS JOIN q
LEFT JOIN forum.members m ON m.user_id = h.author_id
ORDER BY h.rank DESC, h.created_at DESC, h.id
