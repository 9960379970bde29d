/*
** growth.h: the public header of the static library (libgrowth.a, built with SQLITE_CORE).
** An application that links SQLite itself registers every sqlite-growth function on every
** connection it opens with one call before opening them:
**
**   #include <sqlite3.h>
**   #include <growth.h>
**   sqlite3_auto_extension((void (*)(void))sqlite3_growth_init);
**
** Link with -lgrowth -lsqlite3 -lm (or `pkg-config --cflags --libs growth`). The loadable
** extension (growth.so) has the same entry point and needs no header.
*/
#ifndef SQLITE_GROWTH_H
#define SQLITE_GROWTH_H

#include <sqlite3.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SQLITE_GROWTH_VERSION "0.1.0"

/* Registers the functions on db. pzErrMsg (may be NULL) receives a sqlite3_malloc'd message
** on failure; pApi is ignored in the static build (pass NULL). */
int sqlite3_growth_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#ifdef __cplusplus
}
#endif

#endif
