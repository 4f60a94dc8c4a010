"""The comment inbox: `/ig inbox`, comment and mention messages with their buttons, the Reply modal."""
