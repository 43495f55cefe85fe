"""Historical ledger (台账) import and ledger export in a described layout (issue 14)."""
