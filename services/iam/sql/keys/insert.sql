INSERT INTO iam.signing_keys (kid, alg, public_key, private_key_enc) VALUES ($1, 'EdDSA', $2, $3)
