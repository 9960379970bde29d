/*
** sqlite_glue.h: how every file that calls SQLite includes it. growth.c owns the API pointer
** (SQLITE_EXTENSION_INIT1); every other file declares it (INIT3). Under -DSQLITE_CORE (the
** static library and the unit tests) the macros vanish and calls go straight to libsqlite3.
*/
#ifndef GROWTH_SQLITE_GLUE_H
#define GROWTH_SQLITE_GLUE_H

#include <sqlite3ext.h>
#ifndef GROWTH_OWNS_API
SQLITE_EXTENSION_INIT3
#endif

#endif
