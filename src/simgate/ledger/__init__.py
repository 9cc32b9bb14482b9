"""Money: balances, holds and the append-only entries that explain them."""
