# src/demo: the sample lakehouse (lakesync demo). See src/demo/demo.h.
