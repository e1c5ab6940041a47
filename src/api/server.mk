# src/api: the REST daemon and client: see src/api/server.h.
