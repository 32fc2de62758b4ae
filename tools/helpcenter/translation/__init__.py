"""Translation: segments, catalogs, engines, QA."""
