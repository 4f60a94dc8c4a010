"""The worker tier: Dramatiq actors on igbot's Redis, run by `igbot worker`.

The web tier only verifies a Slack request, enqueues one job and acks. Everything that talks to
Instagram or posts to Slack afterwards runs here: commands (`commands.py`), the end of a link
(`linking.py`), scheduled reminders (`reminders.py`). `broker.py` configures Dramatiq, `queue.py` is the
web tier's side (admission, back-pressure, health), `worker.py` the process, `supervisor.py` the
worker processes `igbot serve` and `igbot dev` start.
"""
