"""Everything Slack-facing: listeners (`listeners.py`: commands, actions), intents and Block Kit rendering."""
