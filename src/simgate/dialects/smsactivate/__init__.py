"""The sms-activate `handler_api` buyer dialect (`/stubs/handler_api.php`)."""
