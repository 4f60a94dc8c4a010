"""Link previews of Instagram posts (Slack's `link_shared`)."""
