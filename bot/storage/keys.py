"""Redis key names, in one place (DESIGN.md fixes them)."""

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
