# src/delta: see src/delta/*.h for the module contract.
