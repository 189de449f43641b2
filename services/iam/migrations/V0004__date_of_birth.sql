-- A patient's date of birth (optional): practitioners and the front desk see the age of
-- whom they will see.
ALTER TABLE iam.users ADD COLUMN date_of_birth date
  CHECK (date_of_birth BETWEEN date '1900-01-01' AND date '2100-01-01');
