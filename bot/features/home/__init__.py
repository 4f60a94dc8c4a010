"""The App Home tab: drawn for each person, with its buttons."""
