"""Arabic dates."""
