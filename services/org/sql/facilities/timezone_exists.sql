SELECT 1 AS known FROM pg_timezone_names WHERE name = $1
