# src/engine: pipelines (full load, incremental apply), the scheduler and its workers.
liblakesync_a_SOURCES += \
	src/engine/target.h src/engine/target.c \
	src/engine/pipeline.h src/engine/pipeline.c \
	src/engine/engine.h src/engine/engine.c \
	src/engine/manage.h src/engine/manage.c \
	src/engine/observe.h src/engine/observe.c
