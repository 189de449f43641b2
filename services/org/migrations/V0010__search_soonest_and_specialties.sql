-- Search's read model (V0009), ordered by an index: the soonest free first ("cardiologist"
-- and sort=soonest), so a page is the first rows of an index walk instead of every match
-- ranked; practitioners without a free day last (as 'infinity'). And the specialties a
-- query may name, looked up by their GIN index before the search.
CREATE INDEX practitioner_search_soonest
  ON org.practitioner_search ((coalesce(next_free_day, 'infinity'::date)), practitioner_id);
CREATE INDEX practitioner_search_specialties ON org.practitioner_search USING gin (specialties);
