"""STIX 2.1 intake: validation, the kelisim extensions, and the Art. 6 state-secret refusal.

Pure domain code (no web, no SQL): the TAXII server calls these functions on every posted object.

* :mod:`.validation` - is this a valid STIX 2.1 object? (STIX 2.1 §3-§7, §9)
* :mod:`.patterns` - is this indicator pattern valid? (STIX 2.1 §9; stix2-patterns' verdict, fast)
* :mod:`.extension` - the kelisim property extension (Art. 2, 3) and the restricted-access
  marking (Art. 2, 6); TLP 2.0 marking ids
* :mod:`.state_secrets` - state-secret markings and stamps are refused (Art. 6)
"""
