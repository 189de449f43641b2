-- Organization management: organizations and their verification, documents, facilities,
-- staff membership and invitations, practitioner profiles. Runs as org_owner.
GRANT USAGE ON SCHEMA org TO org_app;
ALTER DEFAULT PRIVILEGES FOR ROLE org_owner IN SCHEMA org
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO org_app;
ALTER DEFAULT PRIVILEGES FOR ROLE org_owner IN SCHEMA org
  GRANT USAGE, SELECT ON SEQUENCES TO org_app;
GRANT SELECT ON org.schema_migrations TO org_app;

CREATE TABLE org.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL CHECK (type IN ('hospital', 'clinic', 'lab', 'individual_practice')),
  legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 2 AND 200),
  display_name text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  registration_number text NOT NULL CHECK (length(registration_number) BETWEEN 1 AND 64),
  line1 text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
  line2 text NOT NULL DEFAULT '',
  city text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  state text NOT NULL CHECK (length(state) BETWEEN 1 AND 100),
  pincode text NOT NULL CHECK (length(pincode) BETWEEN 3 AND 12),
  country text NOT NULL DEFAULT 'IN' CHECK (country ~ '^[A-Z]{2}$'),
  latitude double precision CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CHECK (longitude BETWEEN -180 AND 180),
  contact_email text NOT NULL DEFAULT '',
  contact_phone text NOT NULL DEFAULT '',
  gstin text CHECK (gstin IS NULL OR gstin ~ '^[0-9]{2}[A-Z0-9]{10}[0-9A-Z]Z[0-9A-Z]$'),
  status text NOT NULL DEFAULT 'pending_verification'
    CHECK (status IN ('pending_verification', 'under_review', 'verified', 'rejected',
                      'changes_requested')),
  late_cancellation_refund_percent integer NOT NULL DEFAULT 0
    CHECK (late_cancellation_refund_percent BETWEEN 0 AND 100),
  submitted_at timestamptz,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_status_idx ON org.organizations (status, submitted_at);

-- Every status transition: who, when, why (append-only for the app role).
CREATE TABLE org.verification_history (
  id bigserial PRIMARY KEY,
  organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
  from_status text,
  to_status text NOT NULL,
  actor_id uuid NOT NULL,
  decision text CHECK (decision IN ('approve', 'reject', 'request_changes')),
  reason text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_history_org_idx ON org.verification_history (organization_id, id);

CREATE TABLE org.documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
  document_type text NOT NULL CHECK (document_type ~ '^[a-z_]{2,40}$'),
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  content bytea NOT NULL CHECK (length(content) = size_bytes),
  uploaded_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_org_idx ON org.documents (organization_id, created_at);

CREATE TABLE org.facilities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  line1 text NOT NULL CHECK (length(line1) BETWEEN 1 AND 200),
  line2 text NOT NULL DEFAULT '',
  city text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
  state text NOT NULL CHECK (length(state) BETWEEN 1 AND 100),
  pincode text NOT NULL CHECK (length(pincode) BETWEEN 3 AND 12),
  country text NOT NULL DEFAULT 'IN',
  latitude double precision,
  longitude double precision,
  timezone text NOT NULL,
  phone text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facilities_org_idx ON org.facilities (organization_id, created_at, id);
CREATE INDEX facilities_city_idx ON org.facilities (lower(city));

CREATE TABLE org.members (
  organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL,
  role text NOT NULL CHECK (role IN ('practitioner', 'org_staff', 'org_admin')),
  joined_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id, role)
);
CREATE INDEX members_user_idx ON org.members (user_id);

CREATE TABLE org.invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES org.organizations (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email)),
  role text NOT NULL CHECK (role IN ('practitioner', 'org_staff', 'org_admin')),
  token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'expired', 'revoked')),
  invited_by uuid NOT NULL,
  accepted_by uuid,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invitations_org_idx ON org.invitations (organization_id, status);

CREATE TABLE org.practitioners (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL UNIQUE,
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 2 AND 120),
  specialties text[] NOT NULL DEFAULT '{}',
  qualifications text[] NOT NULL DEFAULT '{}',
  registration_number text NOT NULL DEFAULT '',
  languages text[] NOT NULL DEFAULT '{}',
  years_of_experience integer NOT NULL DEFAULT 0 CHECK (years_of_experience BETWEEN 0 AND 80),
  bio text NOT NULL DEFAULT '' CHECK (length(bio) <= 4000),
  consultation_modes text[] NOT NULL DEFAULT '{}',
  fee_first_visit_minor bigint NOT NULL DEFAULT 0 CHECK (fee_first_visit_minor >= 0),
  fee_follow_up_minor bigint NOT NULL DEFAULT 0 CHECK (fee_follow_up_minor >= 0),
  currency text NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
  search_document tsvector NOT NULL DEFAULT ''::tsvector,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practitioners_search_idx ON org.practitioners USING gin (search_document);
CREATE INDEX practitioners_name_trgm_idx ON org.practitioners USING gin (display_name public.gin_trgm_ops);
CREATE INDEX practitioners_specialties_idx ON org.practitioners USING gin (specialties);

CREATE TABLE org.practitioner_facilities (
  practitioner_id uuid NOT NULL REFERENCES org.practitioners (id) ON DELETE CASCADE,
  facility_id uuid NOT NULL REFERENCES org.facilities (id) ON DELETE CASCADE,
  PRIMARY KEY (practitioner_id, facility_id)
);
CREATE INDEX practitioner_facilities_facility_idx ON org.practitioner_facilities (facility_id);

CREATE TABLE org.outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON org.outbox (id) WHERE published_at IS NULL;

REVOKE UPDATE, DELETE ON org.verification_history FROM org_app;
