-- Locks an appointment the caller may see for a change in this transaction. The read that
-- follows is a statement of its own: in READ COMMITTED it takes a snapshot after the lock
-- was granted, so it sees what a transaction that held the lock before committed (a join
-- with the view under FOR UPDATE would re-check only the locked row, and read the rest as
-- it was before the wait).
SELECT id FROM appointment.appointments WHERE id = $1::uuid FOR UPDATE
