"""The ingest stage: articles in (text, Markdown, HTML), ``Article`` models out.

- ``store``: the article store, ``content/<slug>.html`` (list, read, load, import)
- ``convert``: a source file's text to one clean, semantic HTML document
- ``page``: page cleaning: the article root and its metadata
- ``walker``: the structure walker: sections of readable blocks
- ``elements``: the text of HTML elements, shared by page cleaning and the walker
"""
