"""The onlinesim delivery-api (`/delivery-api/get/<method>.php`): translation only."""
