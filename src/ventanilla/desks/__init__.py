"""Desks (service points), their teams, staff profiles, request types and roles."""
