"""Tiny shared helpers, each tested: environment, errors."""
