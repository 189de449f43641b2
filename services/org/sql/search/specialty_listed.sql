-- Whether a query names a specialty some listed practitioner has (lower-case), by the read
-- model's specialties index (V0010): such a query is taken as that specialty, soonest first.
SELECT EXISTS (SELECT 1 FROM org.practitioner_search WHERE specialties @> ARRAY[$1]) AS listed
