"""The onlinesim buyer API: /api/<method>.php, GET or POST, query, form or JSON."""
