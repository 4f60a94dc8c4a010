"""Stand-ins for Instagram and Slack that speak the real wire protocols on loopback.

A separate distribution (igbot-sandboxes, `sandboxes/` in the repository) that `make dev` and `make test`
install and a production install never has. Only tests, `igbot dev` and `igbot sandbox ...` import it;
the serving path (`bot/`, apart from `bot.dev`) never does.
"""
