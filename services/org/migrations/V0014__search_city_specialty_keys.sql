-- A specialty in a city, found by a btree (issue 19). Search's read model holds cities and
-- specialties as arrays with a GIN index each; a specialty in a city intersects both posting
-- lists (Bengaluru's 6,000 practitioners and 15,000 cardiologists at 300,000: ~10 ms of
-- bitmaps for 341 matches, and both lists grow with the platform), or walks the soonest index
-- past every other city's rows. Here each (city, specialty) of a listed practitioner is a key:
-- the matches are read as one range of an index, as many as there are, at any size.
--
-- Derived from the read model by a trigger on it, in the same transaction, whichever path
-- changed it (a profile, a facility link, a facility's city, an organization's status); the
-- free-day updates that touch neither array change nothing here. Public data, no RLS.
CREATE TABLE org.practitioner_search_keys (
  city text NOT NULL,
  specialty text NOT NULL,
  practitioner_id uuid NOT NULL REFERENCES org.practitioner_search (practitioner_id) ON DELETE CASCADE,
  PRIMARY KEY (city, specialty, practitioner_id)
);
CREATE INDEX practitioner_search_keys_practitioner ON org.practitioner_search_keys (practitioner_id);

CREATE FUNCTION org.practitioner_search_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO org.practitioner_search_keys (city, specialty, practitioner_id)
    SELECT DISTINCT c, sp, n.practitioner_id
    FROM new_rows n CROSS JOIN LATERAL unnest(n.cities) c CROSS JOIN LATERAL unnest(n.specialties) sp;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Rows whose cities or specialties changed: their keys replaced (deleted rows cascade).
    DELETE FROM org.practitioner_search_keys k
    USING old_rows o JOIN new_rows n ON n.practitioner_id = o.practitioner_id
    WHERE k.practitioner_id = o.practitioner_id
      AND (o.cities, o.specialties) IS DISTINCT FROM (n.cities, n.specialties);
    INSERT INTO org.practitioner_search_keys (city, specialty, practitioner_id)
    SELECT DISTINCT c, sp, n.practitioner_id
    FROM old_rows o JOIN new_rows n ON n.practitioner_id = o.practitioner_id
    CROSS JOIN LATERAL unnest(n.cities) c CROSS JOIN LATERAL unnest(n.specialties) sp
    WHERE (o.cities, o.specialties) IS DISTINCT FROM (n.cities, n.specialties);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER practitioner_search_keys_on_insert AFTER INSERT ON org.practitioner_search
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_keys_changed();
CREATE TRIGGER practitioner_search_keys_on_update AFTER UPDATE ON org.practitioner_search
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_keys_changed();

INSERT INTO org.practitioner_search_keys (city, specialty, practitioner_id)
SELECT DISTINCT c, sp, s.practitioner_id
FROM org.practitioner_search s CROSS JOIN LATERAL unnest(s.cities) c
CROSS JOIN LATERAL unnest(s.specialties) sp;
ANALYZE org.practitioner_search_keys;
