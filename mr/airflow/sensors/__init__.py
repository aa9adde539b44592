"""Sensors: the done-flag wait (poke, or deferred to the triggerer)."""
