"""Redis key names, in one place: every ``igbot:`` key is built here or in the store that owns it.

The link and state keys (and ``igbot:states``, ``igbot:seen``, ``igbot:hashtags``) are interfaces other
tools rely on; every other key is named in the README's "What is stored" with its lifetime.
"""

PREFIX = "igbot:"


def link_key(team_id: str, user_id: str) -> str:
    """Key of the hash that links one Slack user (in one team) to an Instagram account."""
    return f"{PREFIX}link:{team_id}:{user_id}"


def state_key(state: str) -> str:
    """Key of one pending OAuth flow."""
    return f"{PREFIX}state:{state}"


def user_states_key(team_id: str, user_id: str) -> str:
    """Key of the set of a Slack user's pending OAuth states (so that logout can cancel them)."""
    return f"{PREFIX}states:{team_id}:{user_id}"


def team_links_pattern(team_id: str) -> str:
    """A SCAN pattern for the links of every Slack user of a team."""
    return team_pattern(f"{PREFIX}link:", team_id)


def team_states_pattern(team_id: str) -> str:
    """A SCAN pattern for the pending-state sets of every Slack user of a team."""
    return team_pattern(f"{PREFIX}states:", team_id)


def seen_request_key(digest: str) -> str:
    """Key that marks one signed Slack request as used (replay protection)."""
    return f"{PREFIX}seen:{digest}"


def answers_key(job_id: str) -> str:
    """Key of the hash of a job's answers: claimed, sent, or of unknown outcome (`bot.core.once`)."""
    return f"{PREFIX}sent:{job_id}"


def acted_key(job_id: str) -> str:
    """Key that marks an inbox Reply/Hide/Delete job as done, so a re-run does not act twice."""
    return f"{PREFIX}inbox-done:{job_id}"


def feed_lock_key(target: str) -> str:
    """Key of the lock one feed delivery of ``target`` holds."""
    return f"{PREFIX}lock:feed:{target}"


def token_rotation_lock_key(team_id: str) -> str:
    """Key of the lock one process holds while it refreshes a workspace's bot token."""
    return f"{PREFIX}slack-rotate:{team_id}"


JOBS_NAMESPACE = f"{PREFIX}jobs"  # Dramatiq's queues and their bookkeeping
WORKERS_KEY = f"{PREFIX}workers"  # sorted set: "{host}:{pid}" -> last heartbeat (seconds)


def glob_escape(text: str) -> str:
    """``text`` matched literally in a Redis glob pattern (Slack ids are [A-Z0-9], but be exact)."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def team_pattern(prefix: str, team_id: str) -> str:
    """A SCAN pattern for every key ``{prefix}{team_id}:...`` (``prefix`` ends with ``:``)."""
    return f"{prefix}{glob_escape(team_id)}:*"
