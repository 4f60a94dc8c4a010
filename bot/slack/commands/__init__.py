"""The `/ig` subcommands: `listener.py` acks and queues them (web tier); one module per subcommand
runs it in a worker, `dispatch.py` maps an intent to its module and failures to messages."""
