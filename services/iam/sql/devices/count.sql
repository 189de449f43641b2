SELECT count(*) AS known FROM iam.sign_in_devices WHERE user_id = $1::uuid
