-- Search's read model (issue 19): one row per practitioner listed at a verified
-- organization, holding what search filters and ranks on, so that a search reads one compact
-- table through its indexes instead of joining every candidate to its facilities,
-- organizations and free days.
--
-- The text document is weighted: name and specialties (A), qualifications (B), the
-- organizations, facilities and cities the practitioner is listed at (C), the bio (D). Languages are a
-- filter, by code (search_terms.h resolves "Hindi"), not words of the document.
--
-- next_free_day is the first local day with a bookable slot (any mode) and next_free_until
-- the moment it stops being one (its last free start minus the notice). Searches use it while
-- it holds and ask the free days themselves for rows gone stale; the org service's sweep
-- refreshes those (org.refresh_stale_next_free).
--
-- Kept current in the same transaction as its sources: statement triggers on practitioners,
-- their facility links, facilities and organizations, and org.apply_free_days for free days.
-- Public data, like the free days it derives from: no row-level security.
CREATE TABLE org.practitioner_search (
  practitioner_id uuid PRIMARY KEY REFERENCES org.practitioners (id) ON DELETE CASCADE,
  display_name text NOT NULL,
  document tsvector NOT NULL,
  cities text[] NOT NULL,
  specialties text[] NOT NULL,
  languages text[] NOT NULL,
  modes text[] NOT NULL,
  fee_first_visit_minor bigint NOT NULL,
  years_of_experience integer NOT NULL,
  next_free_day date,
  next_free_until timestamptz
) WITH (fillfactor = 90);  -- room for next-free updates in place (HOT: no indexed column)
CREATE INDEX practitioner_search_document ON org.practitioner_search USING gin (document);
CREATE INDEX practitioner_search_cities ON org.practitioner_search USING gin (cities);

-- A practitioner's first bookable day now and until when it stays bookable (NULLs when none).
CREATE FUNCTION org.next_free(practitioner uuid, OUT day date, OUT until timestamptz)
  LANGUAGE sql STABLE AS $$
  SELECT fd.local_day, fd.last_free - fd.min_notice
  FROM org.practitioner_free_days fd
  WHERE fd.practitioner_id = practitioner AND fd.local_day >= current_date - 1
    AND fd.first_free < now() + fd.horizon AND fd.last_free >= now() + fd.min_notice
  ORDER BY fd.local_day, fd.last_free - fd.min_notice DESC LIMIT 1 $$;

-- The rows of these practitioners, rebuilt from the sources: written when listed, removed
-- when not (no facility at a verified organization, or gone).
CREATE FUNCTION org.refresh_practitioner_search(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM org.practitioner_search s
  WHERE s.practitioner_id = ANY (ids)
    AND NOT EXISTS (SELECT 1 FROM org.practitioner_facilities pf
                    JOIN org.facilities f ON f.id = pf.facility_id
                    JOIN org.organizations o ON o.id = f.organization_id
                    WHERE pf.practitioner_id = s.practitioner_id AND o.status = 'verified');
  INSERT INTO org.practitioner_search AS s (practitioner_id, display_name, document, cities,
    specialties, languages, modes, fee_first_visit_minor, years_of_experience, next_free_day,
    next_free_until)
  SELECT p.id, p.display_name,
         setweight(to_tsvector('english', p.display_name), 'A')
         || setweight(to_tsvector('english', array_to_string(p.specialties, ' ')), 'A')
         || setweight(to_tsvector('english', array_to_string(p.qualifications, ' ')), 'B')
         || setweight(to_tsvector('english', l.places), 'C')
         || setweight(to_tsvector('english', p.bio), 'D'),
         l.cities, p.specialties, p.languages, p.consultation_modes, p.fee_first_visit_minor,
         p.years_of_experience, n.day, n.until
  FROM org.practitioners p
  CROSS JOIN LATERAL (
    SELECT array_agg(DISTINCT lower(f.city)) AS cities,
           string_agg(DISTINCT concat_ws(' ', o.legal_name, o.display_name, f.name, f.city), ' ') AS places
    FROM org.practitioner_facilities pf
    JOIN org.facilities f ON f.id = pf.facility_id
    JOIN org.organizations o ON o.id = f.organization_id
    WHERE pf.practitioner_id = p.id AND o.status = 'verified') l
  CROSS JOIN LATERAL org.next_free(p.id) n
  WHERE p.id = ANY (ids) AND l.cities IS NOT NULL
  ON CONFLICT (practitioner_id) DO UPDATE SET display_name = EXCLUDED.display_name,
    document = EXCLUDED.document, cities = EXCLUDED.cities, specialties = EXCLUDED.specialties,
    languages = EXCLUDED.languages, modes = EXCLUDED.modes,
    fee_first_visit_minor = EXCLUDED.fee_first_visit_minor,
    years_of_experience = EXCLUDED.years_of_experience, next_free_day = EXCLUDED.next_free_day,
    next_free_until = EXCLUDED.next_free_until
$$;

-- The next free day of these practitioners only (their free days changed, or time passed it).
CREATE FUNCTION org.refresh_next_free(ids uuid[]) RETURNS integer LANGUAGE sql AS $$
  WITH changed AS (
    UPDATE org.practitioner_search s SET next_free_day = n.day, next_free_until = n.until
    FROM (SELECT x.id, f.day, f.until FROM unnest(ids) x (id)
          CROSS JOIN LATERAL org.next_free(x.id) f) n
    WHERE s.practitioner_id = n.id
      AND (s.next_free_day, s.next_free_until) IS DISTINCT FROM (n.day, n.until)
    RETURNING 1)
  SELECT count(*)::integer FROM changed $$;

-- The sweep: rows whose next free day stopped being bookable as time passed, a batch at a time.
CREATE FUNCTION org.refresh_stale_next_free(batch integer) RETURNS integer LANGUAGE sql AS $$
  SELECT org.refresh_next_free(ARRAY(
    SELECT practitioner_id FROM org.practitioner_search
    WHERE next_free_until < now() ORDER BY next_free_until LIMIT batch)) $$;

-- Triggers: each names the changed rows' practitioners as a query over its transition table
-- ("changed"; "before" too for updates that can move a link).
CREATE FUNCTION org.practitioner_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT org.refresh_practitioner_search(ARRAY(%s))', TG_ARGV[0]);
  RETURN NULL;
END $$;

CREATE TRIGGER practitioner_search_on_insert AFTER INSERT ON org.practitioners
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed('SELECT id FROM changed');
CREATE TRIGGER practitioner_search_on_update AFTER UPDATE ON org.practitioners
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed('SELECT id FROM changed');

CREATE TRIGGER practitioner_search_on_link AFTER INSERT ON org.practitioner_facilities
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed('SELECT DISTINCT practitioner_id FROM changed');
CREATE TRIGGER practitioner_search_on_unlink AFTER DELETE ON org.practitioner_facilities
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed('SELECT DISTINCT practitioner_id FROM changed');
CREATE TRIGGER practitioner_search_on_relink AFTER UPDATE ON org.practitioner_facilities
  REFERENCING OLD TABLE AS before NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed(
    'SELECT practitioner_id FROM changed UNION SELECT practitioner_id FROM before');

CREATE TRIGGER practitioner_search_on_facility AFTER UPDATE ON org.facilities
  REFERENCING OLD TABLE AS before NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed(
    'SELECT DISTINCT pf.practitioner_id FROM org.practitioner_facilities pf
      WHERE pf.facility_id IN (SELECT id FROM changed c
                               WHERE NOT EXISTS (SELECT 1 FROM before b WHERE b.id = c.id
                                                 AND b.name = c.name AND b.city = c.city
                                                 AND b.organization_id = c.organization_id))');

CREATE TRIGGER practitioner_search_on_organization AFTER UPDATE ON org.organizations
  REFERENCING OLD TABLE AS before NEW TABLE AS changed FOR EACH STATEMENT
  EXECUTE FUNCTION org.practitioner_search_changed(
    'SELECT DISTINCT pf.practitioner_id FROM org.practitioner_facilities pf
      JOIN org.facilities f ON f.id = pf.facility_id
      WHERE f.organization_id IN (SELECT id FROM changed c
                                  WHERE NOT EXISTS (SELECT 1 FROM before b WHERE b.id = c.id
                                                    AND b.status = c.status
                                                    AND b.legal_name = c.legal_name
                                                    AND b.display_name = c.display_name))');

-- Free days: org.apply_free_days (V0004) ends by refreshing its practitioner's next free day.
CREATE OR REPLACE FUNCTION org.apply_free_days(event jsonb) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  p uuid := (event ->> 'practitioner_id')::uuid;
  v bigint := (event ->> 'version')::bigint;
  days date[];
  newer date[];
BEGIN
  SELECT coalesce(array_agg(d::date), '{}') INTO days FROM jsonb_array_elements_text(event -> 'days') d;
  IF (event ->> 'replace_all')::boolean THEN
    -- Days no longer covered (outside the new horizon): emptied, version noted.
    WITH stale AS (
      INSERT INTO org.practitioner_free_day_versions AS fv (practitioner_id, local_day, version)
      SELECT p, f.local_day, v FROM (SELECT DISTINCT local_day FROM org.practitioner_free_days
                                      WHERE practitioner_id = p) f
       WHERE NOT f.local_day = ANY (days)
      ON CONFLICT (practitioner_id, local_day) DO UPDATE SET version = EXCLUDED.version
        WHERE fv.version < EXCLUDED.version
      RETURNING local_day)
    DELETE FROM org.practitioner_free_days
     WHERE practitioner_id = p AND local_day IN (SELECT local_day FROM stale);
  END IF;
  WITH won AS (
    INSERT INTO org.practitioner_free_day_versions AS fv (practitioner_id, local_day, version)
    SELECT p, d, v FROM unnest(days) d
    ON CONFLICT (practitioner_id, local_day) DO UPDATE SET version = EXCLUDED.version
      WHERE fv.version < EXCLUDED.version
    RETURNING local_day)
  SELECT coalesce(array_agg(local_day), '{}') INTO newer FROM won;
  DELETE FROM org.practitioner_free_days WHERE practitioner_id = p AND local_day = ANY (newer);
  INSERT INTO org.practitioner_free_days (practitioner_id, local_day, mode, first_free, last_free,
                                          min_notice, horizon)
  SELECT p, (f ->> 'day')::date, f ->> 'mode', to_timestamp((f ->> 'first')::float8),
         to_timestamp((f ->> 'last')::float8),
         make_interval(mins => (event ->> 'min_notice_minutes')::integer),
         make_interval(days => (event ->> 'horizon_days')::integer)
    FROM jsonb_array_elements(event -> 'free') f
   WHERE (f ->> 'day')::date = ANY (newer);
  -- Days gone by are of no use to search.
  DELETE FROM org.practitioner_free_days WHERE practitioner_id = p AND local_day < current_date - 2;
  DELETE FROM org.practitioner_free_day_versions
   WHERE practitioner_id = p AND local_day < current_date - 2;
  PERFORM org.refresh_next_free(ARRAY[p]);
  RETURN cardinality(newer);
END $$;

-- The practitioners' own document gives way to the read model's.
ALTER TABLE org.practitioners DROP COLUMN search_document;

-- Everyone listed today. Migrations run as org_owner, which row-level security (FORCEd on
-- organizations) shows nothing; verified organizations are public, so it may see those.
CREATE POLICY organizations_read_verified_by_owner ON org.organizations FOR SELECT TO org_owner
  USING (status = 'verified');
SELECT org.refresh_practitioner_search(ARRAY(SELECT id FROM org.practitioners));
