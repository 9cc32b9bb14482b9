"""Alembic migrations, shipped inside the package so `simgate db upgrade` works anywhere."""
