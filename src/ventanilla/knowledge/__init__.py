"""The consular guide: topics, articles in many languages, versions, per-desk overrides."""
