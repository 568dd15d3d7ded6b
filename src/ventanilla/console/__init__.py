"""The agent and supervisor web console."""
