"""Podcast formats derived from manifests: RSS feeds, JSON chapters and WebVTT captions.

- ``feed``: the library feed and one serial feed per article (RSS 2.0, iTunes, Podcasting 2.0)
- ``chapters``: JSON Chapters 1.2 for the whole-article MP3
- ``vtt``: WebVTT, one cue per spoken sentence

Pure: manifests and a base URL in, bytes or dicts out; the web layer serves them.
"""
