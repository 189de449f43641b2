-- Forum: categories, threads, posts (a tree per thread), edits, votes, follows, flags,
-- moderation log, watched words, members (trust, suspensions), private threads and their
-- posts (row-level security: patient, practitioner, platform admins), audit, outbox.
-- Runs as forum_owner.
GRANT USAGE ON SCHEMA forum TO forum_app;
ALTER DEFAULT PRIVILEGES FOR ROLE forum_owner IN SCHEMA forum
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO forum_app;
ALTER DEFAULT PRIVILEGES FOR ROLE forum_owner IN SCHEMA forum
  GRANT USAGE, SELECT ON SEQUENCES TO forum_app;
GRANT SELECT ON forum.schema_migrations TO forum_app;

CREATE TABLE forum.categories (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 2 AND 80),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
  who_can_post text NOT NULL DEFAULT 'everyone'
    CHECK (who_can_post IN ('everyone', 'verified_practitioners', 'moderators')),
  first_post_approval boolean NOT NULL DEFAULT false,
  slow_mode_seconds integer NOT NULL DEFAULT 0 CHECK (slow_mode_seconds BETWEEN 0 AND 86400),
  position integer NOT NULL DEFAULT 0,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX categories_name_idx ON forum.categories (lower(name));

-- One row per user who took part: display name (from IAM at posting time), activity
-- counts for trust levels, and a forum suspension.
CREATE TABLE forum.members (
  user_id uuid PRIMARY KEY,
  display_name text NOT NULL DEFAULT '',
  approved_posts integer NOT NULL DEFAULT 0,
  suspended_until timestamptz,
  suspension_reason text,
  suspended_by uuid,
  suspended_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE forum.threads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  category_id uuid NOT NULL REFERENCES forum.categories (id),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 5),
  author_id uuid NOT NULL,
  pinned boolean NOT NULL DEFAULT false,
  locked boolean NOT NULL DEFAULT false,
  accepted_post_id uuid,
  reply_count integer NOT NULL DEFAULT 0,
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_category_idx ON forum.threads (category_id, pinned DESC, last_activity_at DESC);
CREATE INDEX threads_activity_idx ON forum.threads (pinned DESC, last_activity_at DESC);
CREATE INDEX threads_tags_idx ON forum.threads USING gin (tags);

-- Posts of a thread form a tree: `path` holds the seq of each ancestor below the opening
-- post and the post's own (the opening post has an empty path), so ORDER BY path is
-- depth-first, oldest sibling first, and path[1] names the top-level reply a post hangs
-- under (pagination of long threads by top-level replies).
CREATE TABLE forum.posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigserial NOT NULL UNIQUE,
  thread_id uuid NOT NULL REFERENCES forum.threads (id),
  parent_post_id uuid REFERENCES forum.posts (id),
  path bigint[] NOT NULL,
  author_id uuid NOT NULL,
  body_markdown text NOT NULL CHECK (length(body_markdown) <= 20000),
  body_html text NOT NULL,
  -- Text of the rendered body (search, snippets, excerpts).
  body_text text NOT NULL,
  status text NOT NULL CHECK (status IN ('visible', 'hidden', 'deleted', 'pending_review')),
  -- Set while the post waits in the moderation queue.
  queue_reason text CHECK (queue_reason IN ('flagged', 'first_post', 'watched_word')),
  queued_at timestamptz,
  flag_weight integer NOT NULL DEFAULT 0,
  vote_score integer NOT NULL DEFAULT 0,
  -- Weighted document: thread title (A) and tags (C) on the opening post, body (B).
  search tsvector NOT NULL,
  -- Copies kept by the triggers below, so search filters on the post row alone instead of
  -- joining every match to its thread: the thread's category and its opening post's status.
  category_id uuid NOT NULL,
  thread_status text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at timestamptz,
  CHECK ((parent_post_id IS NULL) = (cardinality(path) <= 1))
);
CREATE INDEX posts_thread_path_idx ON forum.posts (thread_id, path);
CREATE INDEX posts_thread_top_idx ON forum.posts (thread_id, (path[1])) WHERE cardinality(path) = 1;
CREATE INDEX posts_author_idx ON forum.posts (author_id, created_at DESC);
CREATE INDEX posts_parent_idx ON forum.posts (parent_post_id) WHERE parent_post_id IS NOT NULL;
CREATE INDEX posts_queue_idx ON forum.posts (queued_at) WHERE queue_reason IS NOT NULL;
CREATE UNIQUE INDEX posts_opening_idx ON forum.posts (thread_id) WHERE cardinality(path) = 0;

CREATE FUNCTION forum.posts_fill_thread_copies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT t.category_id INTO NEW.category_id FROM forum.threads t WHERE t.id = NEW.thread_id;
  IF cardinality(NEW.path) = 0 THEN
    NEW.thread_status := NEW.status;
  ELSE
    SELECT op.status INTO NEW.thread_status FROM forum.posts op
     WHERE op.thread_id = NEW.thread_id AND cardinality(op.path) = 0;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER posts_fill_thread_copies BEFORE INSERT ON forum.posts
  FOR EACH ROW EXECUTE FUNCTION forum.posts_fill_thread_copies();

CREATE FUNCTION forum.posts_follow_opening_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE forum.posts SET thread_status = NEW.status WHERE thread_id = NEW.thread_id;
  RETURN NULL;
END $$;
CREATE TRIGGER posts_follow_opening_status AFTER UPDATE OF status ON forum.posts
  FOR EACH ROW WHEN (cardinality(NEW.path) = 0 AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION forum.posts_follow_opening_status();

-- What search reads, in narrow rows (a third of a post's width): matches of common words
-- are ranked by reading every matching row, so its size is what search costs. Kept by a
-- trigger from forum.posts, whatever writes there.
CREATE TABLE forum.post_search (
  post_id uuid PRIMARY KEY REFERENCES forum.posts (id) ON DELETE CASCADE,
  thread_id uuid NOT NULL,
  author_id uuid NOT NULL,
  category_id uuid NOT NULL,
  status text NOT NULL,
  thread_status text NOT NULL,
  created_at timestamptz NOT NULL,
  search tsvector NOT NULL
);
CREATE INDEX post_search_idx ON forum.post_search USING gin (search);

CREATE FUNCTION forum.posts_sync_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO forum.post_search (post_id, thread_id, author_id, category_id, status,
                                 thread_status, created_at, search)
  VALUES (NEW.id, NEW.thread_id, NEW.author_id, NEW.category_id, NEW.status,
          NEW.thread_status, NEW.created_at, NEW.search)
  ON CONFLICT (post_id) DO UPDATE SET status = EXCLUDED.status,
    thread_status = EXCLUDED.thread_status, search = EXCLUDED.search;
  RETURN NULL;
END $$;
CREATE TRIGGER posts_sync_search AFTER INSERT OR UPDATE OF status, thread_status, search
  ON forum.posts FOR EACH ROW EXECUTE FUNCTION forum.posts_sync_search();

ALTER TABLE forum.threads ADD CONSTRAINT threads_accepted_fk
  FOREIGN KEY (accepted_post_id) REFERENCES forum.posts (id);

CREATE TABLE forum.post_edits (
  id bigserial PRIMARY KEY,
  post_id uuid NOT NULL REFERENCES forum.posts (id),
  previous_markdown text NOT NULL,
  edited_by uuid NOT NULL,
  edited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_edits_post_idx ON forum.post_edits (post_id, edited_at);

CREATE TABLE forum.votes (
  post_id uuid NOT NULL REFERENCES forum.posts (id),
  user_id uuid NOT NULL,
  value smallint NOT NULL CHECK (value IN (-1, 1)),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, user_id)
);
CREATE INDEX votes_user_idx ON forum.votes (user_id);

CREATE TABLE forum.follows (
  thread_id uuid NOT NULL REFERENCES forum.threads (id),
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (thread_id, user_id)
);

CREATE TABLE forum.flags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  post_id uuid NOT NULL REFERENCES forum.posts (id),
  reporter_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('spam', 'abuse', 'misinformation', 'privacy', 'off_topic', 'other')),
  detail text NOT NULL DEFAULT '' CHECK (length(detail) <= 500),
  weight integer NOT NULL CHECK (weight > 0),
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (post_id, reporter_id)
);

-- Every moderation action: who, what, why, when.
CREATE TABLE forum.moderation_log (
  id bigserial PRIMARY KEY,
  moderator_id uuid NOT NULL,
  action text NOT NULL,
  post_id uuid,
  thread_id uuid,
  target_user_id uuid,
  reason text NOT NULL,
  until timestamptz,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_log_target_idx ON forum.moderation_log (target_user_id, at);
REVOKE UPDATE, DELETE ON forum.moderation_log FROM forum_app;

CREATE TABLE forum.watched_words (
  word text PRIMARY KEY CHECK (length(word) BETWEEN 1 AND 100 AND word = lower(word)),
  action text NOT NULL CHECK (action IN ('block', 'review')),
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE forum.private_threads (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id uuid NOT NULL,
  practitioner_id uuid NOT NULL,
  practitioner_user_id uuid NOT NULL,
  practitioner_display_name text NOT NULL,
  appointment_id uuid,
  subject text NOT NULL,
  post_count integer NOT NULL DEFAULT 0,
  last_post_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (patient_id <> practitioner_user_id)
);
CREATE INDEX private_threads_patient_idx ON forum.private_threads (patient_id, last_post_at DESC);
CREATE INDEX private_threads_practitioner_idx ON forum.private_threads (practitioner_user_id, last_post_at DESC);

CREATE TABLE forum.private_posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigserial NOT NULL UNIQUE,
  thread_id uuid NOT NULL REFERENCES forum.private_threads (id),
  author_id uuid NOT NULL,
  author_display_name text NOT NULL,
  body_markdown text NOT NULL CHECK (length(body_markdown) <= 20000),
  body_html text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX private_posts_thread_idx ON forum.private_posts (thread_id, seq);

-- Every read and write of a private thread (DESIGN.md: who, what, when, from where).
CREATE TABLE forum.audit_log (
  id bigserial PRIMARY KEY,
  actor_id uuid NOT NULL,
  action text NOT NULL,
  private_thread_id uuid NOT NULL,
  reason text,
  client_ip text,
  request_id text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_thread_idx ON forum.audit_log (private_thread_id, at);
REVOKE UPDATE, DELETE ON forum.audit_log FROM forum_app;

CREATE TABLE forum.outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON forum.outbox (id) WHERE published_at IS NULL;

-- Row-level security on private consultations: their patient, their practitioner and
-- platform admins (whose reads the service audits with a reason); never anyone else.
CREATE FUNCTION forum.current_subject() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.subject_id', true), '')::uuid $$;
CREATE FUNCTION forum.caller_roles() RETURNS text[] LANGUAGE sql STABLE AS
  $$ SELECT string_to_array(coalesce(current_setting('app.roles', true), ''), ',') $$;

ALTER TABLE forum.private_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE forum.private_threads FORCE ROW LEVEL SECURITY;
CREATE POLICY private_threads_access ON forum.private_threads TO forum_app
  USING (patient_id = (SELECT forum.current_subject())
         OR practitioner_user_id = (SELECT forum.current_subject())
         OR 'platform_admin' = ANY (forum.caller_roles())
         OR 'system' = ANY (forum.caller_roles()))
  WITH CHECK (patient_id = (SELECT forum.current_subject())
              OR practitioner_user_id = (SELECT forum.current_subject()));

ALTER TABLE forum.private_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE forum.private_posts FORCE ROW LEVEL SECURITY;
CREATE POLICY private_posts_access ON forum.private_posts TO forum_app
  USING (EXISTS (SELECT 1 FROM forum.private_threads t WHERE t.id = thread_id))
  WITH CHECK (author_id = (SELECT forum.current_subject())
              AND EXISTS (SELECT 1 FROM forum.private_threads t WHERE t.id = thread_id
                          AND (t.patient_id = author_id OR t.practitioner_user_id = author_id)));

-- Four categories to start with; platform admins add more.
INSERT INTO forum.categories (name, slug, description, position, created_by) VALUES
  ('General health', 'general-health', 'Questions about everyday health and wellbeing.', 1,
   '00000000-0000-0000-0000-000000000000'),
  ('Diabetes', 'diabetes', 'Living with diabetes: diet, monitoring, medication.', 2,
   '00000000-0000-0000-0000-000000000000'),
  ('Mental health', 'mental-health', 'Stress, anxiety, sleep and mood.', 3,
   '00000000-0000-0000-0000-000000000000'),
  ('Pediatrics', 'pediatrics', 'Children''s health.', 4, '00000000-0000-0000-0000-000000000000');
