# src/delta data reading (scan, change feed): see src/delta/scan.h.
