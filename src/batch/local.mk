# src/batch: the columnar batch shared by parquet, delta and pg, and value rendering.
liblakesync_a_SOURCES += \
	src/batch/batch.c src/batch/batch.h \
	src/batch/render.c
