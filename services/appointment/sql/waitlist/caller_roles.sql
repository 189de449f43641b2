-- The roles this transaction acts with (row-level security).
SELECT coalesce(current_setting('app.roles', true), '') AS roles
