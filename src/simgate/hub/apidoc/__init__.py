"""The hub's OpenAPI 3.1 document, built from the dialects' method tables, and /docs.

FastAPI cannot see through `/api/{name}.php` dispatch, so each method's parameters and
answers are declared here, next to the table they describe; `document.build()` refuses a table
entry without a declaration, so a new method cannot go undocumented.
"""
