"""Installing and uninstalling igbot: forgetting a team that removed it."""
