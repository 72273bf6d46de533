-- Close the current version of every key that this batch brings with different values.
-- {key_match} compares the key columns of h (history) and a (accepted rows); {held_hash}
-- hashes h's values as _row_hash hashed the new row's (see staging.row_hash_sql).
UPDATE wh.core.{kind}_history AS h
SET _valid_to = $loaded_at, _superseded_by = $batch_id
FROM accepted_keys AS a
WHERE h._superseded_by IS NULL
  AND h._district_id = $district_id
  AND {key_match}
  AND {held_hash} <> a._row_hash
