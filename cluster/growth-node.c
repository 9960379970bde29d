/* growth-node: one dqlite node with sqlite-growth in every connection it opens.
 *
 *   growth-node ID ADDRESS DATA_DIR        e.g. growth-node 1 127.0.0.1:9001 /tmp/n1
 *
 * dqlite refuses load_extension() on its connections, so the extension is linked in
 * (libgrowth.a) and registered with sqlite3_auto_extension before the node is created: every
 * connection dqlite opens afterwards, on whichever node becomes leader, has the functions.
 * Node 1 bootstraps a new cluster; the others join when a client asks the leader to add them
 * (cluster/growth-cluster add). The node runs until SIGTERM or SIGINT, then stops cleanly.
 *
 * SIGPIPE is ignored: when a peer dies mid-write (the leader killed in a failover test) the
 * default action would silently kill this node too (exit 141). */
#include <dqlite.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "growth.h"

static int parse_id(const char *text, dqlite_node_id *id) {
  char *end;
  unsigned long long v = strtoull(text, &end, 10);
  if (end == text || *end || v == 0) return 0;
  *id = v;
  return 1;
}

/* Blocks until SIGTERM or SIGINT, which stay blocked (so the threads dqlite starts inherit the
 * mask and the signal is taken here, by sigwait). */
static int wait_for_stop(const sigset_t *stop) {
  int sig = 0;
  return sigwait(stop, &sig) == 0 ? sig : -1;
}

int main(int argc, char **argv) {
  dqlite_node_id id;
  if (argc != 4 || !parse_id(argv[1], &id)) {
    fprintf(stderr, "usage: growth-node ID ADDRESS DATA_DIR  (ID a positive integer; ADDRESS host:port)\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  int rc = sqlite3_auto_extension((void (*)(void))sqlite3_growth_init);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "growth-node: sqlite3_auto_extension failed (%d)\n", rc);
    return 1;
  }
  dqlite_node *node = NULL;
  if ((rc = dqlite_node_create(id, argv[2], argv[3], &node)) != 0) {
    fprintf(stderr, "growth-node %llu: dqlite_node_create failed (%d): %s\n", id, rc,
            node ? dqlite_node_errmsg(node) : "no node");
    dqlite_node_destroy(node);
    return 1;
  }
  if ((rc = dqlite_node_set_bind_address(node, argv[2])) != 0 || (rc = dqlite_node_start(node)) != 0) {
    fprintf(stderr, "growth-node %llu: cannot start on %s (%d): %s\n", id, argv[2], rc, dqlite_node_errmsg(node));
    dqlite_node_destroy(node);
    return 1;
  }
  printf("growth-node %llu: listening on %s, data in %s\n", id, argv[2], argv[3]);
  fflush(stdout);
  int sig = wait_for_stop(&stop);
  rc = dqlite_node_stop(node);
  dqlite_node_destroy(node);
  printf("growth-node %llu: stopped (signal %d)\n", id, sig);
  return rc == 0 ? 0 : 1;
}
