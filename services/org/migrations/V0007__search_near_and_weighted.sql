-- Search at national scale (issue 19).
--
-- Near me: a facility with coordinates is a PostGIS geography point (metres on the WGS 84
-- spheroid), derived from its latitude and longitude so the two never disagree, and found by
-- distance through a GiST index (ST_DWithin, then ST_Distance for the order).
ALTER TABLE org.facilities ADD COLUMN location public.geography(Point, 4326)
  GENERATED ALWAYS AS (
    CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL
         THEN public.ST_SetSRID(public.ST_MakePoint(longitude, latitude), 4326)::public.geography
    END) STORED;
CREATE INDEX facilities_location_idx ON org.facilities USING gist (location);

-- The weighted document: name and specialties (A) as before, qualifications now too (B),
-- the bio last (D). Practitioners/upsert.sql writes the same.
UPDATE org.practitioners SET search_document =
  setweight(to_tsvector('english', display_name), 'A')
  || setweight(to_tsvector('english', array_to_string(specialties, ' ')), 'A')
  || setweight(to_tsvector('english', array_to_string(qualifications, ' ')), 'B')
  || setweight(to_tsvector('english', bio), 'D');

-- The relevance order's score, one number so that one keyset pages it: the text's relevance in
-- hundredths first (0 without text), then the sooner next free day, then the nearer facility
-- (when searching near a point). SQL, so search statements inline it.
CREATE FUNCTION org.relevance_score(relevance float8, next_free date, meters float8)
  RETURNS numeric LANGUAGE sql STABLE AS $$
  SELECT round(coalesce(relevance, 0) * 100)::numeric * 10000000000
         + coalesce(10000 - least(next_free - current_date + 2, 9999), 0)::numeric * 100000
         + coalesce(99999 - least(round(meters / 10), 99999), 0)::numeric $$;
