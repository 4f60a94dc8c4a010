"""Stand-ins for Instagram and Slack that speak the real wire protocols on loopback.

Only tests, `igbot dev` and `igbot sandbox ...` import this package; the serving path never does.
"""
