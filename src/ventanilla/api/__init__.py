"""The REST API v1, assembled from each app's api.py; bearer tokens; JSON errors."""
