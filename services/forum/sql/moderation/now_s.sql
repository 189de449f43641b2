SELECT extract(epoch from now())::bigint AS now_s
