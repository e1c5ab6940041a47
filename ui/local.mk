# ui: the operator console (ncurses). See ui/README.md. Only ui/ includes curses.
lakesync_SOURCES += \
	ui/app.c \
	ui/backend.h ui/backend_local.c ui/backend_remote.c \
	ui/dashboard.c \
	ui/detail.c \
	ui/dialog.c \
	ui/draw.c \
	ui/keys.c ui/keys.h \
	ui/model.c ui/model.h \
	ui/theme.c ui/theme.h \
	ui/ui.h \
	ui/wizard.c

# Themes, installed into $(pkgdatadir)/themes (LK_THEMES_DIR).
themesdir = $(pkgdatadir)/themes
dist_themes_DATA = \
	themes/default.theme \
	themes/light.theme \
	themes/monochrome.theme \
	themes/high-contrast.theme

# Console tests: the real binary in tmux against a throwaway PostgreSQL.
TESTS += \
	tests/ui/test_console_basics.sh \
	tests/ui/test_console_remote.sh \
	tests/ui/test_console_sync.sh \
	tests/ui/test_console_wizard.sh
EXTRA_DIST += ui/README.md tests/ui
