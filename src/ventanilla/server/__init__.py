"""Running ventanilla: the `run` command (web app and task consumer together) and the demo."""
