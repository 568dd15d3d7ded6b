"""How staff work together: canned responses, notifications, shift handovers."""
