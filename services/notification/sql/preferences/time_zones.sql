-- Every IANA zone name the database knows (read once: it reads the zone files each time).
SELECT name FROM pg_timezone_names
