"""Ingestion and orchestration for studio-outcomes: contracts, the warehouse, the jobs, the CLI.

Lowest first, each importing only from those before it: ``errors``, ``sql_text`` and
``safe_export``; ``contracts`` (the contract of every source kind and its check rules);
``warehouse`` (the DuckDB file: layout, batch load, audit, marts and their loaders, lake);
``ingest`` (``readers`` -> ``surveys`` -> ``validate`` -> the job that loads a file);
``synth`` (the synthetic district); ``demo`` (the main job); ``cli`` (``outcomes``).
"""
