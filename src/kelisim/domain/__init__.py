"""The pure core: treaty rules, parties, the ledger's hash chain. No web, no SQL, no clock reads."""
