# ui: the operator console (ncurses). See ui/README.md.
