-- The batches loaded by the extract's state: what was loaded and its checksum, without the
-- file's name (a name can carry a person's). $as_of_batch_id NULL means every batch.
SELECT
    batch_id,
    kind,
    file_sha256,
    contract_version,
    rows_accepted,
    rows_quarantined
FROM audit.batches
WHERE $as_of_batch_id IS NULL OR batch_id <= $as_of_batch_id
ORDER BY batch_id
