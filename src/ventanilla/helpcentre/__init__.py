"""The public side: the web-chat widget and the portal form (the help centre grows here)."""
