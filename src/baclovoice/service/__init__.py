"""The narration service: articles narrated in the background on a real task queue.

- ``queue``: the Huey queue (SQLite in the audio folder, or Redis) and its tasks
- ``jobs``: job records and progress, kept in the queue's key-value store
- ``narrate``: what the tasks do: plan, synthesize batches, publish section by section
- ``articles``: adding, replacing and removing articles from text, Markdown, HTML or files
- ``worker``: consumer processes that keep the voice loaded, and the reconcile timer
- ``watch``: re-narrating articles whose files change while serving

It sits between ``build`` (whose public stages the tasks call) and ``web`` (whose
ingestion API submits jobs); nothing here imports ``web``.
"""
