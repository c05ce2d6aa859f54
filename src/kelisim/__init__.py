"""kelisim: the 2013 CIS Agreement on cooperation in ensuring information security, put to work."""

__version__ = "0.1.0"
