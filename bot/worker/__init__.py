"""The worker runtime: Dramatiq on igbot's Redis (`broker.py`), the actors that run the features' jobs
(`actors.py`), the web tier's side of the queue (`queue.py`: admission, back-pressure, health), one worker
process (`process.py`) and the parent that keeps worker processes running (`supervisor.py`)."""
