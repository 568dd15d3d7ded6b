"""Standard Moroccan Tamazight dates."""
