"""Protocol dialects: each only translates between its wire format and the domain services."""
