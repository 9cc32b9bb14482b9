"""The web cabinet: server-rendered pages over the same domain services the API dialects use.

Like a dialect it only translates: it opens no database scope and imports no repository.
"""
