-- Sets the roles this transaction acts with, until it ends.
SELECT set_config('app.roles', $1, true) AS roles
