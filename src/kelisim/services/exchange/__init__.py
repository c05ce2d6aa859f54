"""The exchange between authorized bodies (Art. 6, 9) over TAXII 2.1: one module per job.

collections.py  who may read and write each collection, today
intake.py       Add Objects: durable acceptance, batch validation and storage, status resources
reading.py      Get Objects / an Object / Versions / Manifest, Delete, with keyset pages
audit.py        the hash-chained audit of reads of restricted-access information
worker.py       processes accepted envelopes, and resumes them after a restart
"""
