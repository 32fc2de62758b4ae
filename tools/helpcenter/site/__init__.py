"""Site: stage the docs, generate each locale, index search, write the root pages.

Only `generator.py` and `mkdocs_plugin.py` know MkDocs; moving to another generator
(Zensical) replaces those two modules.
"""
