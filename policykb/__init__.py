"""The `policykb` command line: it sits above both `indexer` (corpus, indexes, search) and
`webapp` (the web app it serves), so that neither of those imports the other's way up.

Run it as `policykb …` (the console script) or `python -m policykb …`.
"""
