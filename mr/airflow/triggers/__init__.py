"""Triggers: the done-flag poll that runs in the triggerer, holding no worker slot."""
