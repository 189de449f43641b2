-- An instant ($1) as wall-clock time in zone $2, as messages show it.
SELECT to_char($1::timestamptz AT TIME ZONE $2, 'Dy DD Mon YYYY, HH24:MI') AS local
