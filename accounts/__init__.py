"""Accounts: the user model with roles and Pro membership, Pro codes, token login."""
