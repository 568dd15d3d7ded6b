"""Privacy by design: encryption of personal data, keyed look-up hashes, the audit log."""
