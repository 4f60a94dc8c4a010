"""The bot's HTTP surface: Slack's Request URL, the Instagram OAuth callback and the health check."""
