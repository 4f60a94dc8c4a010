"""Channel feeds: `/ig subscribe`, `/ig unsubscribe`, `/ig subscriptions`, and their delivery."""
