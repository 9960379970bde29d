/* growth-cluster: a small client for a dqlite cluster, over dqlite's documented wire protocol
 * (protocol version 1: a handshake word, then messages of a one-word header and a body in
 * 8-byte words). The packaged dqlite shell cannot add nodes, so this forms the cluster and
 * sends SQL for `make cluster-demo` and `make test-cluster`.
 *
 *   growth-cluster ADDRESS leader              the leader as "ID ADDRESS" (exit 3: none yet)
 *   growth-cluster ADDRESS add ID NODE_ADDRESS  add a node and make it a voter
 *   growth-cluster ADDRESS transfer ID         hand leadership to node ID
 *   growth-cluster ADDRESS nodes               "ID ADDRESS ROLE" per node (0 voter, 1 standby, 2 spare)
 *   growth-cluster ADDRESS exec DB FILE        run FILE's statements ('-': standard input)
 *   growth-cluster ADDRESS query DB SQL        run one statement, a line per row, '|' between values
 *
 * ADDRESS is any node (host:port); requests go to the leader it names. A failure the cluster
 * reports is printed as "growth-cluster: error CODE: MESSAGE" with exit status 1; no answer
 * within 20 s is an error too, never a hang. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

enum request_type {
  REQ_LEADER = 0,
  REQ_OPEN = 3,
  REQ_EXEC_SQL = 8,
  REQ_QUERY_SQL = 9,
  REQ_ADD = 12,
  REQ_ASSIGN = 13,
  REQ_CLUSTER = 16,
  REQ_TRANSFER = 17
};
enum response_type {
  RESP_FAILURE = 0,
  RESP_NODE = 1,
  RESP_NODES = 3,
  RESP_DB = 4,
  RESP_RESULT = 6,
  RESP_ROWS = 7,
  RESP_EMPTY = 8
};
enum value_type {
  V_INTEGER = 1,
  V_FLOAT = 2,
  V_TEXT = 3,
  V_BLOB = 4,
  V_NULL = 5,
  V_UNIXTIME = 9,
  V_ISO8601 = 10,
  V_BOOLEAN = 11
};
#define ROWS_DONE 0xffffffffffffffffULL
#define ROWS_PART 0xeeeeeeeeeeeeeeeeULL
#define IO_TIMEOUT_SECONDS 20

static void die(const char *fmt, const char *a, const char *b) {
  fprintf(stderr, "growth-cluster: ");
  fprintf(stderr, fmt, a, b);
  fputc('\n', stderr);
  exit(1);
}

/* ---- a growable body buffer, written and read in little-endian words ---- */
typedef struct {
  unsigned char *p;
  size_t n, cap, at; /* at: read position */
} buf;

static void buf_need(buf *b, size_t more) {
  if (b->n + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + more) cap *= 2;
  if (!(b->p = realloc(b->p, cap))) die("out of memory%s%s", "", "");
  b->cap = cap;
}
/* Starts a request body in b (which may still hold the last response). */
static buf *request(buf *b) {
  b->n = b->at = 0;
  return b;
}
static void put_u64(buf *b, uint64_t v) {
  buf_need(b, 8);
  for (int i = 0; i < 8; i++) b->p[b->n++] = (unsigned char)(v >> (8 * i));
}
static void put_text(buf *b, const char *s) { /* NUL-terminated, zero-padded to a word */
  size_t len = strlen(s) + 1, padded = (len + 7) / 8 * 8;
  buf_need(b, padded);
  memcpy(b->p + b->n, s, len);
  memset(b->p + b->n + len, 0, padded - len);
  b->n += padded;
}
static void put_no_params(buf *b) { put_u64(b, 0); } /* a tuple of 0 parameters: one zero word */

static uint64_t get_u64(buf *b) {
  if (b->at + 8 > b->n) die("truncated message from the cluster%s%s", "", "");
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)b->p[b->at + i] << (8 * i);
  b->at += 8;
  return v;
}
static const char *get_text(buf *b) {
  const unsigned char *s = b->p + b->at, *end = memchr(s, 0, b->n - b->at);
  if (!end) die("unterminated text from the cluster%s%s", "", "");
  b->at += ((size_t)(end - s) + 1 + 7) / 8 * 8;
  return (const char *)s;
}

/* ---- connection ---- */
static int connect_to(const char *address) {
  char host[256];
  const char *colon = strrchr(address, ':');
  if (!colon || (size_t)(colon - address) >= sizeof host) die("address '%s' is not host:port%s", address, "");
  memcpy(host, address, (size_t)(colon - address));
  host[colon - address] = 0;
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai;
  if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) die("cannot resolve '%s'%s", address, "");
  int fd = socket(ai->ai_family, ai->ai_socktype, 0);
  struct timeval tv = {.tv_sec = IO_TIMEOUT_SECONDS};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
    die("cannot connect to %s: %s", address, strerror(errno));
  freeaddrinfo(ai);
  buf hello = {0};
  put_u64(&hello, 1); /* protocol version 1 */
  if (write(fd, hello.p, hello.n) != (ssize_t)hello.n) die("handshake with %s failed%s", address, "");
  free(hello.p);
  return fd;
}

static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) die("write to the cluster failed: %s%s", strerror(errno), "");
    p += w, n -= (size_t)w;
  }
}
static void read_all(int fd, unsigned char *p, size_t n) {
  while (n) {
    ssize_t r = read(fd, p, n);
    if (r == 0) die("the node closed the connection%s%s", "", "");
    if (r < 0) die("no answer from the cluster: %s%s", errno == EAGAIN ? "timed out" : strerror(errno), "");
    p += r, n -= (size_t)r;
  }
}

static void send_request(int fd, int type, int revision, buf *body) {
  unsigned char head[8] = {0};
  uint32_t words = (uint32_t)(body->n / 8);
  for (int i = 0; i < 4; i++) head[i] = (unsigned char)(words >> (8 * i));
  head[4] = (unsigned char)type;
  head[5] = (unsigned char)revision;
  write_all(fd, head, 8);
  write_all(fd, body->p, body->n);
  body->n = 0;
}

/* Reads one response into b; a failure response ends the program with its code and text. */
static int read_response(int fd, buf *b) {
  unsigned char head[8];
  read_all(fd, head, 8);
  uint32_t words = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
  b->n = b->at = 0;
  buf_need(b, (size_t)words * 8);
  read_all(fd, b->p, (size_t)words * 8);
  b->n = (size_t)words * 8;
  if (head[4] == RESP_FAILURE) {
    char code[32];
    snprintf(code, sizeof code, "%llu", (unsigned long long)get_u64(b));
    die("error %s: %s", code, get_text(b));
  }
  return head[4];
}

static void expect(int got, int want, const char *what) {
  if (got != want) die("unexpected answer to %s%s", what, "");
}

/* The leader as known by the node at fd: its address (empty when there is none) and id. */
static const char *ask_leader(int fd, buf *b, uint64_t *id) {
  put_u64(request(b), 0);
  send_request(fd, REQ_LEADER, 0, b);
  expect(read_response(fd, b), RESP_NODE, "leader");
  /* Revision 1 answers carry the id before the address, the legacy one only the address. */
  *id = 0;
  if (b->n >= 16 && b->p[0] < 0x20) *id = get_u64(b);
  return get_text(b);
}

static int connect_to_leader(const char *address, buf *b) {
  int fd = connect_to(address);
  uint64_t id;
  const char *leader = ask_leader(fd, b, &id);
  if (!*leader) die("no leader yet (asked %s)%s", address, "");
  if (strcmp(leader, address) == 0) return fd;
  char copy[300];
  snprintf(copy, sizeof copy, "%s", leader);
  close(fd);
  return connect_to(copy);
}

static uint32_t open_db(int fd, buf *b, const char *name) {
  put_text(request(b), name);
  put_u64(b, 0);
  put_text(b, "volatile");
  send_request(fd, REQ_OPEN, 0, b);
  expect(read_response(fd, b), RESP_DB, "open");
  return (uint32_t)get_u64(b);
}

static char *read_file(const char *path) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) die("cannot read %s: %s", path, strerror(errno));
  buf b = {0};
  size_t got;
  do {
    buf_need(&b, 65536);
    got = fread(b.p + b.n, 1, 65536, f);
    b.n += got;
  } while (got > 0);
  buf_need(&b, 1);
  b.p[b.n] = 0;
  if (f != stdin) fclose(f);
  return (char *)b.p;
}

/* One row tuple: a header of 4-bit type codes (16 per word), then the values. */
static void print_row(buf *b, uint64_t columns) {
  size_t header_words = (size_t)((columns + 15) / 16);
  if (b->at + header_words * 8 > b->n) die("truncated row%s%s", "", "");
  const unsigned char *types = b->p + b->at;
  b->at += header_words * 8;
  for (uint64_t c = 0; c < columns; c++) {
    int type = c % 2 ? types[c / 2] >> 4 : types[c / 2] & 0x0f;
    if (c) putchar('|');
    switch (type) {
      case V_INTEGER:
      case V_UNIXTIME:
      case V_BOOLEAN: printf("%lld", (long long)get_u64(b)); break;
      case V_FLOAT: {
        uint64_t bits = get_u64(b);
        double d;
        memcpy(&d, &bits, sizeof d);
        printf("%.15g", d); /* as the sqlite3 shell prints REALs */
        break;
      }
      case V_TEXT:
      case V_ISO8601: fputs(get_text(b), stdout); break;
      case V_BLOB: {
        uint64_t len = get_u64(b);
        if (len > b->n - b->at) die("truncated blob%s%s", "", "");
        printf("x'");
        for (uint64_t i = 0; i < len; i++) printf("%02x", b->p[b->at + i]);
        putchar('\'');
        b->at += (size_t)((len + 7) / 8 * 8);
        break;
      }
      case V_NULL: get_u64(b); break;
      default: die("unknown value type in a row%s%s", "", "");
    }
  }
  putchar('\n');
}

static void query(int fd, buf *b, uint32_t db, const char *sql) {
  put_u64(request(b), db);
  put_text(b, sql);
  put_no_params(b);
  send_request(fd, REQ_QUERY_SQL, 0, b);
  for (;;) { /* batches, each with the column header, ending in DONE or PART */
    expect(read_response(fd, b), RESP_ROWS, "query");
    uint64_t columns = get_u64(b);
    for (uint64_t c = 0; c < columns; c++) get_text(b);
    for (;;) {
      if (b->at + 8 > b->n) die("rows without an end marker%s%s", "", "");
      uint64_t marker;
      memcpy(&marker, b->p + b->at, 8); /* the markers read the same in either byte order */
      if (marker == ROWS_DONE) return;
      if (marker == ROWS_PART) break;
      print_row(b, columns);
    }
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: growth-cluster ADDRESS leader|add ID ADDR|transfer ID|nodes|exec DB FILE|query DB SQL\n");
    return 2;
  }
  const char *address = argv[1], *cmd = argv[2];
  buf b = {0};
  if (strcmp(cmd, "leader") == 0 && argc == 3) {
    int fd = connect_to(address);
    uint64_t id;
    const char *leader = ask_leader(fd, &b, &id);
    if (!*leader) return 3;
    printf("%llu %s\n", (unsigned long long)id, leader);
  } else if (strcmp(cmd, "add") == 0 && argc == 5) {
    int fd = connect_to_leader(address, &b);
    put_u64(request(&b), strtoull(argv[3], NULL, 10));
    put_text(&b, argv[4]);
    send_request(fd, REQ_ADD, 0, &b);
    expect(read_response(fd, &b), RESP_EMPTY, "add");
    put_u64(request(&b), strtoull(argv[3], NULL, 10));
    put_u64(&b, 0); /* role: voter */
    send_request(fd, REQ_ASSIGN, 0, &b);
    expect(read_response(fd, &b), RESP_EMPTY, "assign");
  } else if (strcmp(cmd, "transfer") == 0 && argc == 4) {
    int fd = connect_to_leader(address, &b);
    put_u64(request(&b), strtoull(argv[3], NULL, 10));
    send_request(fd, REQ_TRANSFER, 0, &b);
    expect(read_response(fd, &b), RESP_EMPTY, "transfer");
  } else if (strcmp(cmd, "nodes") == 0 && argc == 3) {
    int fd = connect_to_leader(address, &b);
    put_u64(request(&b), 1); /* format 1: with roles */
    send_request(fd, REQ_CLUSTER, 0, &b);
    expect(read_response(fd, &b), RESP_NODES, "nodes");
    uint64_t n = get_u64(&b);
    for (uint64_t i = 0; i < n; i++) {
      uint64_t id = get_u64(&b);
      const char *addr = get_text(&b);
      printf("%llu %s %llu\n", (unsigned long long)id, addr, (unsigned long long)get_u64(&b));
    }
  } else if (strcmp(cmd, "exec") == 0 && argc == 5) {
    int fd = connect_to_leader(address, &b);
    uint32_t db = open_db(fd, &b, argv[3]);
    char *sql = read_file(argv[4]);
    put_u64(request(&b), db);
    put_text(&b, sql);
    put_no_params(&b);
    free(sql);
    send_request(fd, REQ_EXEC_SQL, 0, &b);
    expect(read_response(fd, &b), RESP_RESULT, "exec");
  } else if (strcmp(cmd, "query") == 0 && argc == 5) {
    int fd = connect_to_leader(address, &b);
    query(fd, &b, open_db(fd, &b, argv[3]), argv[4]);
  } else {
    fprintf(stderr, "growth-cluster: unknown command or wrong arguments: %s\n", cmd);
    return 2;
  }
  free(b.p);
  return 0;
}
