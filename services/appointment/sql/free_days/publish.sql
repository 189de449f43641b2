-- appointment.free_days events for the changed days of up to $1 practitioners (V0006); 0 at
-- once while another replica publishes.
SELECT appointment.publish_free_days($1::integer) AS events
