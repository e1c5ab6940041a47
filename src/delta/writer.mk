# src/delta writer: see src/delta/writer.h.
