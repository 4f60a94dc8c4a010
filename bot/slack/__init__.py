"""The Slack client layer: igbot's Web API client per workspace (`workspaces.py`), Slack's refusals as
typed exceptions (`errors.py`), answering through a response URL (`responder.py`), who ran a command
(`invocation.py`) and Block Kit building blocks (`blocks.py`). No feature logic lives here."""
