"""Contacts, known by pseudonyms, and their channel identities (hashed and encrypted)."""
