# src/parquet: see src/parquet/*.h for the module contract.
