-- Profile photos. The normalized JPEG (libs/image: a 320-pixel square, no metadata) lives
-- apart from the profile row, which search reads often; the profile carries the photo's
-- version (its content hash), so the photo's URL changes whenever the photo does and can be
-- cached for good.
ALTER TABLE org.practitioners ADD COLUMN photo_version text;
CREATE TABLE org.practitioner_photos (
  practitioner_id uuid PRIMARY KEY REFERENCES org.practitioners (id) ON DELETE CASCADE,
  jpeg bytea NOT NULL CHECK (octet_length(jpeg) BETWEEN 1 AND 1048576),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
