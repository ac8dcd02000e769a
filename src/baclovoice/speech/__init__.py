"""The speech stage: an Article in, the sentences to speak (display text, speech text, pauses) out.

- ``script``: the narration script of an article, section by section, with pauses
- ``sentences``: sentence offsets in display text
- ``normalize``: the spoken form of a sentence, as small named passes
- ``data``: the tables those passes read (abbreviations, units, symbols, ...)
- ``lexicon``: the user's pronunciation respellings (``content/lexicon.toml``)
"""
