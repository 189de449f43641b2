-- bench/scale/org.sql — search at national scale (issue 19): :n verified practitioners in
-- :orgs organizations across 50 cities, each organization one facility with coordinates,
-- 8 % of practitioners at a second facility, and each practitioner's free days for the next
-- 30 days (the org service's read model of appointment events). Generated in PostgreSQL with
-- generate_series (no client round trips). Run as the superuser:
--   psql -v n=100000 -v orgs=2000 -f bench/scale/org.sql
\set ON_ERROR_STOP on
SET synchronous_commit = off;
BEGIN;
CREATE TEMP TABLE scale_cities (k int PRIMARY KEY, city text, state text, lat float8, lon float8);
INSERT INTO scale_cities
SELECT ord - 1, c[1], c[2], c[3]::float8, c[4]::float8
FROM unnest(ARRAY[
  'Bengaluru|Karnataka|12.97|77.59', 'Mumbai|Maharashtra|19.08|72.88', 'Delhi|Delhi|28.61|77.21',
  'Chennai|Tamil Nadu|13.08|80.27', 'Kolkata|West Bengal|22.57|88.36', 'Hyderabad|Telangana|17.39|78.49',
  'Pune|Maharashtra|18.52|73.86', 'Ahmedabad|Gujarat|23.02|72.57', 'Jaipur|Rajasthan|26.91|75.79',
  'Lucknow|Uttar Pradesh|26.85|80.95', 'Kochi|Kerala|9.93|76.27', 'Gurugram|Haryana|28.46|77.03',
  'Noida|Uttar Pradesh|28.54|77.39', 'Chandigarh|Chandigarh|30.73|76.78', 'Indore|Madhya Pradesh|22.72|75.86',
  'Bhopal|Madhya Pradesh|23.26|77.41', 'Nagpur|Maharashtra|21.15|79.09', 'Surat|Gujarat|21.17|72.83',
  'Vadodara|Gujarat|22.31|73.18', 'Coimbatore|Tamil Nadu|11.02|76.96', 'Madurai|Tamil Nadu|9.93|78.12',
  'Mysuru|Karnataka|12.30|76.64', 'Mangaluru|Karnataka|12.91|74.86', 'Thiruvananthapuram|Kerala|8.52|76.94',
  'Visakhapatnam|Andhra Pradesh|17.69|83.22', 'Vijayawada|Andhra Pradesh|16.51|80.65', 'Bhubaneswar|Odisha|20.30|85.82',
  'Patna|Bihar|25.59|85.14', 'Ranchi|Jharkhand|23.34|85.31', 'Guwahati|Assam|26.14|91.74',
  'Dehradun|Uttarakhand|30.32|78.03', 'Amritsar|Punjab|31.63|74.87', 'Ludhiana|Punjab|30.90|75.86',
  'Kanpur|Uttar Pradesh|26.45|80.33', 'Varanasi|Uttar Pradesh|25.32|82.97', 'Agra|Uttar Pradesh|27.18|78.01',
  'Nashik|Maharashtra|20.00|73.79', 'Aurangabad|Maharashtra|19.88|75.34', 'Rajkot|Gujarat|22.30|70.80',
  'Jodhpur|Rajasthan|26.24|73.02', 'Udaipur|Rajasthan|24.59|73.71', 'Raipur|Chhattisgarh|21.25|81.63',
  'Goa|Goa|15.50|73.83', 'Hubballi|Karnataka|15.36|75.12', 'Tiruchirappalli|Tamil Nadu|10.79|78.70',
  'Salem|Tamil Nadu|11.66|78.15', 'Jammu|Jammu and Kashmir|32.73|74.86', 'Srinagar|Jammu and Kashmir|34.08|74.80',
  'Shimla|Himachal Pradesh|31.10|77.17', 'Puducherry|Puducherry|11.94|79.81']) WITH ORDINALITY AS t(s, ord),
  LATERAL string_to_array(s, '|') c;

CREATE TEMP TABLE scale_specialties AS
SELECT ord - 1 AS k, lower(s) AS specialty FROM unnest(ARRAY[
  'Cardiology', 'Dermatology', 'Pediatrics', 'Gynecology', 'Orthopedics', 'Neurology', 'Psychiatry',
  'Ophthalmology', 'Dentistry', 'Endocrinology', 'General Medicine', 'ENT', 'Gastroenterology',
  'Nephrology', 'Pulmonology', 'Oncology', 'Urology', 'Rheumatology', 'Diabetology', 'Physiotherapy',
  'Internal Medicine', 'Family Medicine', 'Homeopathy', 'Ayurveda', 'Nutrition']) WITH ORDINALITY AS t(s, ord);

-- Organizations (verified) and one facility each, spread by a hash over about 22 × 22 km
-- around the city's centre (offsets from i * 37 % 200 put a city's 40 facilities on 4
-- points, ten at each: near me then sorted hundreds of practitioners at one distance).
INSERT INTO org.organizations (id, type, legal_name, display_name, registration_number, line1, city,
  state, pincode, latitude, longitude, status, created_by)
SELECT md5('scale-org-' || i)::uuid, CASE WHEN i % 5 = 0 THEN 'hospital' ELSE 'clinic' END,
       'Scale Health ' || i || ' Pvt Ltd', 'Scale Health ' || i, 'SC-' || i, i || ' Main Road',
       c.city, c.state, lpad((560000 + i)::text, 6, '0'), c.lat, c.lon, 'verified',
       md5('scale-owner-' || i)::uuid
FROM generate_series(0, :orgs - 1) i JOIN scale_cities c ON c.k = i % 50;

INSERT INTO org.facilities (id, organization_id, name, line1, city, state, pincode, latitude,
  longitude, timezone, phone)
SELECT md5('scale-fac-' || i)::uuid, md5('scale-org-' || i)::uuid, 'Scale Health ' || i || ' ' || c.city,
       i || ' Main Road', c.city, c.state, lpad((560000 + i)::text, 6, '0'),
       c.lat + ((hashint4(i + 1009) & 65535) / 65535.0 - 0.5) / 5,
       c.lon + ((hashint4(i + 2003) & 65535) / 65535.0 - 0.5) / 5,
       'Asia/Kolkata', '+91804' || lpad(i::text, 7, '0')
FROM generate_series(0, :orgs - 1) i JOIN scale_cities c ON c.k = i % 50;

-- Practitioners: names from common Indian first and last names, one or two specialties,
-- languages, modes, fees and experience spread out.
INSERT INTO org.practitioners (id, user_id, display_name, specialties, qualifications, languages,
  years_of_experience, bio, consultation_modes, fee_first_visit_minor, fee_follow_up_minor, gender)
SELECT md5('scale-pr-' || i)::uuid, md5('scale-user-' || i)::uuid, name, specs,
       ARRAY['MBBS'], langs, exp, '', modes, fee, fee * 6 / 10, gender
FROM (
  SELECT i,
         -- The first name (and with it the gender) from a hash of i: i % 20 would tie it to
         -- the city (i % 50), every doctor of Bengaluru a man.
         'Dr. ' || (ARRAY['Aarav','Vivaan','Aditya','Ananya','Diya','Ishaan','Kavya','Meera','Rohan','Saanvi',
                          'Arjun','Fatima','Imran','Priya','Rahul','Sneha','Vikram','Zoya','Harpreet','Lakshmi'])[1 + f.fn]
           || ' ' || (ARRAY['Sharma','Iyer','Reddy','Nair','Patel','Gupta','Khan','Singh','Das','Menon',
                            'Rao','Joshi','Mehta','Bose','Kulkarni','Pillai','Chatterjee','Shaikh','Verma','Agarwal',
                            'Banerjee','Kapoor','Mishra','Naidu','Hegde','Saxena','Thomas','DSouza','Gill','Yadav'])[1 + (i / 20) % 30]
           AS name,
         -- Specialties spread over cities (a hash of i: the city is i % 50), a second one for
         -- a quarter, never the first one twice.
         CASE WHEN i % 4 = 0
              THEN ARRAY[(SELECT specialty FROM scale_specialties WHERE k = (hashint4(i) & 1073741823) % 25),
                         (SELECT specialty FROM scale_specialties
                           WHERE k = ((hashint4(i) & 1073741823) % 25 + 1 + (hashint4(-i) & 1073741823) % 24) % 25)]
              ELSE ARRAY[(SELECT specialty FROM scale_specialties WHERE k = (hashint4(i) & 1073741823) % 25)] END AS specs,
         string_to_array((ARRAY['en,hi', 'en', 'en,kn', 'en,ta,hi', 'en,mr,hi', 'en,bn', 'en,te', 'hi'])[1 + i % 8], ',')
           AS langs,
         (i * 7) % 40 AS exp,
         CASE WHEN i % 3 = 0 THEN ARRAY['in_person','video'] WHEN i % 3 = 1 THEN ARRAY['in_person'] ELSE ARRAY['video'] END AS modes,
         (30000 + (i * 97) % 12 * 5000)::bigint AS fee,
         -- As the first names go; one in twenty (Harpreet) not said.
         CASE WHEN f.fn IN (3, 4, 6, 7, 9, 11, 13, 15, 17, 19) THEN 'female'
              WHEN f.fn = 18 THEN NULL ELSE 'male' END AS gender
  FROM generate_series(0, :n - 1) i, LATERAL (SELECT (hashint4(i + 7919) & 1073741823) % 20 AS fn) f
) p;

-- Statistics before the links: their statement trigger rebuilds search's read model for
-- every practitioner at once (V0009), and planned against tables it believes empty it would
-- visit every organization for each practitioner (hours instead of seconds).
ANALYZE org.organizations, org.facilities, org.practitioners;

INSERT INTO org.practitioner_facilities (practitioner_id, facility_id)
SELECT md5('scale-pr-' || i)::uuid, md5('scale-fac-' || (i % :orgs))::uuid FROM generate_series(0, :n - 1) i
UNION ALL
SELECT md5('scale-pr-' || i)::uuid, md5('scale-fac-' || ((i * 7 + 1) % :orgs))::uuid
FROM generate_series(0, :n - 1) i WHERE i % 12 = 0 AND (i * 7 + 1) % :orgs <> i % :orgs;

INSERT INTO org.members (organization_id, user_id, role)
SELECT md5('scale-org-' || (i % :orgs))::uuid, md5('scale-user-' || i)::uuid, 'practitioner'
FROM generate_series(0, :n - 1) i;

-- Free days for the next 30 days (five or six a week per practitioner), as the appointment
-- service publishes them: first and last free slot of the day in the practitioner's zone.
INSERT INTO org.practitioner_free_days (practitioner_id, local_day, mode, first_free, last_free,
  min_notice, horizon)
SELECT md5('scale-pr-' || i)::uuid, d::date, CASE WHEN i % 3 = 2 THEN 'video' ELSE 'in_person' END,
       (d::date + time '09:00') AT TIME ZONE 'Asia/Kolkata', (d::date + time '17:45') AT TIME ZONE 'Asia/Kolkata',
       interval '60 minutes', interval '60 days'
FROM generate_series(0, :n - 1) i,
     generate_series(current_date, current_date + 29, interval '1 day') d
WHERE (extract(isodow FROM d)::int + i) % 7 <> 0 AND (i % 5 <> 0 OR extract(isodow FROM d)::int <> 6);
-- Search's read model (migration V0009): its triggers built the rows as the links came in;
-- the free days were written directly, so the next free days are taken now.
SELECT org.refresh_next_free(ARRAY(SELECT practitioner_id FROM org.practitioner_search)) AS next_free;
COMMIT;
-- Vacuumed as autovacuum leaves a table at rest: statistics, and the visibility map that
-- lets the free-day probes of search stay in the index (index-only scans).
VACUUM (ANALYZE) org.organizations, org.facilities, org.practitioners, org.practitioner_facilities,
  org.members, org.practitioner_free_days, org.practitioner_search;
SELECT (SELECT count(*) FROM org.practitioners) AS practitioners,
       (SELECT count(*) FROM org.practitioner_facilities) AS practitioner_facilities,
       (SELECT count(*) FROM org.practitioner_free_days) AS free_days,
       (SELECT count(*) FROM org.practitioner_search) AS listed;
