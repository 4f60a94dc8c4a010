"""igbot: use Instagram from Slack."""
