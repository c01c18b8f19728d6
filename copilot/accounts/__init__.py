"""Accounts: staff users with hashed passwords, roles, and signed expiring tokens."""
