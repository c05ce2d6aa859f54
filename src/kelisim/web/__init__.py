"""HTTP adapters: the documented API, the TAXII 2.1 server and the web UI, over the services."""
