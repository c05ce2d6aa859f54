"""The trust between kelisim nodes: one node per Party and one for the depositary (issue 14).

The Agreement's interstate information system is made of the Parties' national segments that
interact (Art. 2, Art. 3 directions 6, 7, 12, 13); no state keeps its CERT's data on another
state's server, so no node may be asked to trust another by its word. This package holds the
rules that make a node's word checkable, as plain Python (no web, no SQL):

- `signing`     Ed25519 node keys and signed statements over RFC 8785 canonical JSON;
- `roster`      which key speaks for which Party on a date (admission, rotation, revocation),
                signed by the depositary's node;
- `checkpoints` the depositary's signed checkpoints of its ledger, witness cosignatures and the
                evidence of a split view (Certificate Transparency / C2SP style);
- `replication`, `transfers` what crosses the border and its record.

One writer per log (the depositary for the ledger, each node for its own objects): no consensus
protocol is needed, only signatures that every node can verify.
"""
