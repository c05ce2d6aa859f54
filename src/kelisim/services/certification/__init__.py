"""Use cases of the certification registry (Art. 2; Art. 3, direction 14).

`recording` (schemes, arrangements, certificates, lifecycle events, documents), `verification`
(is certificate N valid in Party P on day D, and why — for accounts and for the public),
`catalogue` (search, CCRA-layout export and import), `feed` (the change feed and the STIX form of
an event), `integrity` (verify the chain, rebuild the projection from it).
"""
