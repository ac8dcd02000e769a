"""The build stage: from the article store to published audio and manifests.

- ``plan``: which articles, and each one's narration keyed by the sentence cache
- ``synthesis``: missing sentences spoken into the cache (worker processes)
- ``publish``: sections, cover, whole-article MP3 and manifest from cached sentences
- ``store``: the content-addressed audio folder and its file names
- ``artwork``: cover art
- ``gc``: removing audio no manifest references
- ``builder``: the orchestration that the CLI calls (``build``)
"""
