"""igbot's features, one package each: its `/ig` subcommands, its buttons and modals, its jobs and its
Block Kit live together. Features use the core layer (`bot.core`) and never import each other."""
