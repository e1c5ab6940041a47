# src/parquet writer: see src/parquet/writer.h.
