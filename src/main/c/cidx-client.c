/*
 * cidx-native: the warm `cidx query` without a JVM.
 *
 * A JVM needs 60-100 ms before main() on a small machine, the daemon answers a warm query in a few ms,
 * so a Java client can never be fast. This client (like Nailgun's `ng` or Bazel's C++ client) does only
 * the warm case, speaking the protocol of dev.cidx.protocol exactly as dev.cidx.client.DaemonClient does:
 *
 *   1. `query` is the command (cli.Launcher.commandName), no --no-daemon, no CIDX_NO_DAEMON=1;
 *   2. the repository: the nearest ancestor of the working directory (or of --path) holding
 *      .code-indexer/config.json (config.RepoLocator);
 *   3. config.json's daemon block is plainly enabled (absent, null, or "enabled" true/null, every other
 *      field of the type and range config.DaemonSettings accepts);
 *   4. the socket is the in-repository .code-indexer/daemon.sock (a path too long for sun_path moves to
 *      a fallback directory: that is Java's business);
 *   5. trust, before anything is sent: the socket is a socket owned by this user; its directory is a
 *      real directory (not a symlink) owned by this user and writable by nobody else; after connecting,
 *      the peer's uid (SO_PEERCRED) is this user's;
 *   6. one `run` request (argv, cwd, terminal, CIDX_* environment, client and protocol version); the
 *      daemon refuses another version with VERSION_MISMATCH before running anything;
 *   7. `output` notifications copied to stdout/stderr as they come, then exit with the daemon's code.
 *
 * Anything else -- no repository, the daemon disabled, absent, refusing, of another version, a long
 * socket path, an untrusted file, any error or unexpected message before output began -- hands over: it
 * execs bin/cidx (the one full implementation) with the same arguments and CIDX_NATIVE=0, which bin/cidx
 * honours by running Java, so a handover can never loop. Once output began, a failure is one line on
 * stderr and exit 2: running the command again would print its output twice.
 *
 * The text printed is the daemon's, byte for byte; this client escapes and formats nothing.
 */
#define _GNU_SOURCE /* struct ucred for SO_PEERCRED; everything else is POSIX.1-2008 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef CIDX_VERSION
#error "CIDX_VERSION must be defined by the build (pom.xml), e.g. -DCIDX_VERSION='\"0.1.0+2026-01-01T00:00:00Z\"'"
#endif
#define PROTOCOL_VERSION 1             /* protocol.Version.PROTOCOL */
#define MAX_SOCKET_PATH_BYTES 103      /* config.SocketPaths.MAX_SOCKET_PATH_BYTES */
#define MAX_RESPONSE_BYTES (64L << 20) /* protocol.JsonLines.MAX_RESPONSE_BYTES */
#define MAX_CONFIG_BYTES (1L << 20)    /* a bigger config.json is Java's to read */
#define SHUTTING_DOWN (-32002)         /* protocol.ErrorCode */
#define INTERNAL_ERROR (-32603)

extern char **environ;

static char **original_argv;
static struct sigaction original_sigpipe;
static char log_file[PATH_MAX + 32];

/* ---- handing over to the Java launcher ---- */

/* Runs bin/cidx (next to target/, where this binary lives) with the original arguments, Java forced. */
static void hand_over(void) {
  const char *self = original_argv[0];
  const char *slash = strrchr(self, '/');
  char launcher[PATH_MAX];
  if (slash == NULL || (size_t)(slash - self) + sizeof "/../bin/cidx" > sizeof launcher) {
    fprintf(stderr, "cidx: cannot find bin/cidx from %s: run bin/cidx instead\n", self);
    exit(2);
  }
  snprintf(launcher, sizeof launcher, "%.*s/../bin/cidx", (int)(slash - self), self);
  sigaction(SIGPIPE, &original_sigpipe, NULL);
  setenv("CIDX_NATIVE", "0", 1); /* bin/cidx then runs Java: no loop back here */
  original_argv[0] = launcher;
  execv(launcher, original_argv);
  fprintf(stderr, "cidx: cannot run %s: %s\n", launcher, strerror(errno));
  exit(2);
}

/* A failure after output began: one line, exit 2 (cli.Launcher's wording). */
static void fail_started(const char *kind, const char *what) {
  fprintf(stderr, "cidx: %s (%s) after the command had started; see %s\n", kind, what, log_file);
  exit(2);
}

/* ---- a growable byte buffer ---- */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const void *bytes, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->len + n + 1 > cap) cap *= 2;
    char *data = realloc(b->data, cap);
    if (data == NULL) hand_over();
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static void buf_str(buf_t *b, const char *s) { buf_add(b, s, strlen(s)); }

/* ---- JSON: a validating reader over one buffer, enough for config.json and the daemon's lines ---- */

typedef struct {
  const char *p, *end;
} json_t;

enum { J_ERROR, J_OBJECT, J_ARRAY, J_STRING, J_INT, J_NUMBER, J_TRUE, J_FALSE, J_NULL };

static void ws(json_t *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  *out = v;
  return 1;
}

static void put_utf8(buf_t *out, unsigned cp) {
  char b[4];
  size_t n;
  if (cp < 0x80) { b[0] = (char)cp; n = 1; }
  else if (cp < 0x800) { b[0] = (char)(0xC0 | cp >> 6); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
  else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | cp >> 12); b[1] = (char)(0x80 | (cp >> 6 & 0x3F)); b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
  } else {
    b[0] = (char)(0xF0 | cp >> 18); b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
  }
  buf_add(out, b, n);
}

/*
 * Reads the string at j->p (on its opening quote), decoded to UTF-8 into out when out is not NULL. An
 * unpaired surrogate becomes '?', as Java's String.getBytes(UTF_8) makes it.
 */
static int read_string(json_t *j, buf_t *out) {
  if (j->p >= j->end || *j->p != '"') return 0;
  j->p++;
  while (j->p < j->end) {
    const char *run = j->p;
    while (j->p < j->end && *j->p != '"' && *j->p != '\\' && (unsigned char)*j->p >= 0x20) j->p++;
    if (out && j->p > run) buf_add(out, run, (size_t)(j->p - run));
    if (j->p >= j->end || (unsigned char)*j->p < 0x20) return 0;
    if (*j->p == '"') { j->p++; return 1; }
    if (j->end - j->p < 2) return 0;
    char e = j->p[1];
    j->p += 2;
    const char *simple = strchr("\"\\/bfnrt", e);
    if (e != '\0' && simple != NULL) {
      char c = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
      if (out) buf_add(out, &c, 1);
      continue;
    }
    unsigned cp, low;
    if (e != 'u' || j->end - j->p < 4 || !hex4(j->p, &cp)) return 0;
    j->p += 4;
    if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u'
        && hex4(j->p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
      j->p += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xD800 && cp < 0xE000) {
      cp = '?';
    }
    if (out) put_utf8(out, cp);
  }
  return 0;
}

/* Skips (and checks) the value at j->p; returns its kind, J_ERROR for bad JSON. */
static int skip_value(json_t *j, int depth) {
  ws(j);
  if (j->p >= j->end || depth > 64) return J_ERROR;
  char c = *j->p;
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == close) { j->p++; return c == '{' ? J_OBJECT : J_ARRAY; }
    for (;;) {
      if (c == '{') {
        ws(j);
        if (!read_string(j, NULL)) return J_ERROR;
        ws(j);
        if (j->p >= j->end || *j->p++ != ':') return J_ERROR;
      }
      if (skip_value(j, depth + 1) == J_ERROR) return J_ERROR;
      ws(j);
      if (j->p >= j->end) return J_ERROR;
      if (*j->p == ',') { j->p++; continue; }
      if (*j->p++ == close) return c == '{' ? J_OBJECT : J_ARRAY;
      return J_ERROR;
    }
  }
  if (c == '"') return read_string(j, NULL) ? J_STRING : J_ERROR;
  static const char *const words[] = {"true", "false", "null"};
  for (int i = 0; i < 3; i++) {
    size_t n = strlen(words[i]);
    if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[i], n) == 0) { j->p += n; return J_TRUE + i; }
  }
  if (j->p < j->end && *j->p == '-') j->p++;
  const char *digits = j->p;
  while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
  if (j->p == digits || (*digits == '0' && j->p - digits > 1)) return J_ERROR;
  int kind = J_INT;
  if (j->p < j->end && *j->p == '.') {
    kind = J_NUMBER;
    const char *f = ++j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    if (j->p == f) return J_ERROR;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    kind = J_NUMBER;
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
    const char *x = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    if (j->p == x) return J_ERROR;
  }
  return kind;
}

/*
 * Walks the object at j->p: for each field calls visit(name, value-start, kind, ctx) after checking the
 * value. Returns 0 for bad JSON or when the value is not an object, or when visit returns 0.
 */
typedef int (*visit_fn)(const char *name, json_t value, int kind, void *ctx);

static int each_field(json_t *j, visit_fn visit, void *ctx) {
  ws(j);
  if (j->p >= j->end || *j->p != '{') return 0;
  j->p++;
  ws(j);
  if (j->p < j->end && *j->p == '}') { j->p++; return 1; }
  for (;;) {
    buf_t name = {0};
    ws(j);
    int ok = read_string(j, &name);
    ws(j);
    if (!ok || j->p >= j->end || *j->p++ != ':') { free(name.data); return 0; }
    ws(j);
    json_t value = *j;
    int kind = skip_value(j, 1);
    ok = kind != J_ERROR && visit(name.data ? name.data : "", value, kind, ctx);
    free(name.data);
    if (!ok) return 0;
    ws(j);
    if (j->p >= j->end) return 0;
    if (*j->p == ',') { j->p++; continue; }
    return *j->p++ == '}';
  }
}

/* The integer value at v (kind J_INT), or `otherwise` when it does not fit a long long. */
static long long int_value(json_t v, long long otherwise) {
  char tmp[32];
  size_t n = 0;
  while (v.p + n < v.end && n < sizeof tmp - 1 && (v.p[n] == '-' || (v.p[n] >= '0' && v.p[n] <= '9'))) n++;
  memcpy(tmp, v.p, n);
  tmp[n] = '\0';
  errno = 0;
  long long x = strtoll(tmp, NULL, 10);
  return errno ? otherwise : x;
}

/* ---- config.json: is the daemon plainly enabled? ---- */

static int is_number(int kind) { return kind == J_INT || kind == J_NUMBER; }

/* One field of the daemon block: what DaemonSettings accepts, with enabled not false. */
static int visit_daemon_field(const char *name, json_t v, int kind, void *ctx) {
  (void)ctx;
  if (kind == J_NULL) return 1; /* the default */
  if (strcmp(name, "enabled") == 0) return kind == J_TRUE; /* false, or a bad value: Java's to handle */
  if (strcmp(name, "auto_shutdown_on_idle") == 0) return kind == J_TRUE || kind == J_FALSE;
  if (strcmp(name, "ttl_minutes") == 0 || strcmp(name, "eviction_check_interval_seconds") == 0) {
    return is_number(kind) && strtod(v.p, NULL) > 0;
  }
  if (strcmp(name, "max_retries") == 0) return kind == J_INT && int_value(v, -1) >= 0 && int_value(v, -1) <= INT_MAX;
  if (strcmp(name, "retry_delays_ms") == 0) {
    if (kind != J_ARRAY) return 0;
    json_t a = v;
    a.p++; /* '[' */
    for (;;) {
      ws(&a);
      if (*a.p == ']') return 1;
      json_t item = a;
      if (skip_value(&a, 1) != J_INT || int_value(item, -1) < 0 || int_value(item, -1) > INT_MAX) return 0;
      ws(&a);
      if (*a.p == ',') a.p++;
    }
  }
  return 1; /* a newer cidx's field, skipped as Java skips it */
}

/* The daemon block (the last one wins, as in Java): false, or anything Java would reject, stops the walk. */
static int visit_config_field(const char *name, json_t v, int kind, void *ctx) {
  (void)ctx;
  if (strcmp(name, "daemon") != 0 || kind == J_NULL) return 1;
  return kind == J_OBJECT && each_field(&v, visit_daemon_field, NULL);
}

static int daemon_enabled(const char *config_file) {
  int fd = open(config_file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  buf_t text = {0};
  char chunk[8192];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0 && (long)text.len <= MAX_CONFIG_BYTES) buf_add(&text, chunk, (size_t)n);
  close(fd);
  if (n < 0 || (long)text.len > MAX_CONFIG_BYTES || text.data == NULL) return 0;
  json_t j = {text.data, text.data + text.len};
  int enabled = each_field(&j, visit_config_field, NULL); /* no daemon block: the defaults, enabled */
  free(text.data);
  return enabled;
}

/* ---- the repository ---- */

/* `path` made absolute against `cwd` and normalised lexically, as java.nio's resolve + normalize do. */
static void normalise(const char *cwd, const char *path, char *out, size_t size) {
  char joined[2 * PATH_MAX + 2];
  if (path[0] == '/') snprintf(joined, sizeof joined, "%s", path);
  else snprintf(joined, sizeof joined, "%s/%s", cwd, path);
  size_t len = 0;
  out[0] = '\0';
  for (char *save = NULL, *part = strtok_r(joined, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    if (strcmp(part, ".") == 0) continue;
    if (strcmp(part, "..") == 0) {
      while (len > 0 && out[len - 1] != '/') len--;
      if (len > 0) len--;
      out[len] = '\0';
      continue;
    }
    if (len + 1 + strlen(part) + 1 > size) hand_over();
    len += (size_t)sprintf(out + len, "/%s", part);
  }
  if (len == 0) strcpy(out, "/");
}

/* The nearest ancestor of `start` holding .code-indexer/config.json (config.RepoLocator), or 0. */
static int find_repo(char *dir) {
  for (;;) {
    char config[PATH_MAX + 64];
    struct stat st;
    snprintf(config, sizeof config, "%s/.code-indexer/config.json", strcmp(dir, "/") == 0 ? "" : dir);
    if (stat(config, &st) == 0 && S_ISREG(st.st_mode)) return 1;
    if (strcmp(dir, "/") == 0) return 0;
    char *slash = strrchr(dir, '/');
    if (slash == dir) slash[1] = '\0';
    else *slash = '\0';
  }
}

/* ---- the request ---- */

static int valid_utf8(const unsigned char *s) {
  while (*s) {
    int n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;
    if (n < 0 || (n == 1 && *s < 0xC2)) return 0;
    s++;
    while (n-- > 0) if ((*s++ & 0xC0) != 0x80) return 0;
  }
  return 1;
}

/* A JSON string: text that is not UTF-8 goes to Java, whose JVM decodes it by the locale. */
static void json_string(buf_t *b, const char *s) {
  if (!valid_utf8((const unsigned char *)s)) hand_over();
  buf_str(b, "\"");
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; buf_add(b, esc, 2); }
    else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); buf_str(b, esc); }
    else buf_add(b, s, 1);
  }
  buf_str(b, "\"");
}

/* COLUMNS as cli.Terminal reads it: Integer.parseInt(trim()), 100 when absent or not a number. */
static int columns(void) {
  const char *s = getenv("COLUMNS");
  if (s == NULL) return 100;
  while (*s && (unsigned char)*s <= ' ') s++;
  size_t n = strlen(s);
  while (n > 0 && (unsigned char)s[n - 1] <= ' ') n--;
  size_t i = (n > 0 && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == n) return 100;
  long long v = 0;
  for (size_t k = i; k < n; k++) {
    if ((unsigned char)s[k] >= 0x80) hand_over(); /* Java's parseInt takes Unicode digits too */
    if (s[k] < '0' || s[k] > '9') return 100;
    v = v * 10 + (s[k] - '0');
    if (v > (long long)INT_MAX + 1) return 100;
  }
  if (s[0] == '-') v = -v;
  if (v > INT_MAX || v < INT_MIN) return 100;
  return v < 1 ? 1 : (int)v; /* Math.max(1, columns) in cli.Launcher */
}

/* The `run` request as cli.Launcher sends it (protocol.Messages.RunParams), newline included. */
static void build_request(buf_t *b, int argc, char **argv, const char *cwd) {
  /* System.console() != null in Java 17: stdin and stdout both terminals */
  int interactive = isatty(0) && isatty(1);
  char number[64];
  buf_str(b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"run\",\"params\":{\"argv\":[");
  for (int i = 1; i < argc; i++) {
    if (i > 1) buf_str(b, ",");
    json_string(b, argv[i]);
  }
  buf_str(b, "],\"cwd\":");
  json_string(b, cwd);
  snprintf(number, sizeof number, "%d", columns());
  buf_str(b, ",\"terminal\":{\"interactive\":");
  buf_str(b, interactive ? "true" : "false");
  buf_str(b, ",\"color\":");
  buf_str(b, interactive && getenv("NO_COLOR") == NULL ? "true" : "false");
  buf_str(b, ",\"columns\":");
  buf_str(b, number);
  buf_str(b, "},\"env\":{");
  int first = 1;
  for (char **e = environ; *e; e++) { /* cidx's own variables only: see Launcher.forwardedEnv */
    const char *eq = strchr(*e, '=');
    if (strncmp(*e, "CIDX_", 5) != 0 || eq == NULL) continue;
    char *name = strndup(*e, (size_t)(eq - *e));
    if (name == NULL) hand_over();
    if (!first) buf_str(b, ",");
    first = 0;
    json_string(b, name);
    buf_str(b, ":");
    json_string(b, eq + 1);
    free(name);
  }
  snprintf(number, sizeof number, "%d", PROTOCOL_VERSION);
  buf_str(b, "},\"client_version\":");
  json_string(b, CIDX_VERSION);
  buf_str(b, ",\"protocol_version\":");
  buf_str(b, number);
  buf_str(b, "}}\n");
}

/* ---- the connection ---- */

/* The trust rules, then a connection whose peer runs as this user; -1 (hand over) otherwise. */
static int connect_trusted(const char *socket_path, const char *dir) {
  struct stat st;
  uid_t me = getuid();
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != me || (st.st_mode & 022) != 0) return -1;
  if (lstat(socket_path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != me) return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
  struct timeval five = {5, 0}; /* client.DaemonClient.DEFAULT_CONNECT_TIMEOUT for a full accept queue */
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &five, sizeof five);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { close(fd); return -1; }
#ifdef SO_PEERCRED
  struct ucred peer;
  socklen_t len = sizeof peer;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 || peer.uid != me) { close(fd); return -1; }
#else
  close(fd);
  return -1; /* no way to check the peer here: Java decides */
#endif
  return fd;
}

/* ---- the conversation ---- */

static int output_started;

/* Writes all of it; a closed stdout (`cidx query ... | head`) is ignored, as the Java client does. */
static void write_all(int fd, const char *p, size_t n) {
  if (n > 0) output_started = 1;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}

/* Before output began, hand over; after, report and exit 2. */
static void failure(const char *kind, const char *what) {
  if (!output_started) hand_over();
  fail_started(kind, what);
}

typedef struct {
  int has_id, id_null, id_is_one, has_method, is_output, has_params, has_result, has_error;
  json_t params, result, error;
} message_t;

static int visit_message(const char *name, json_t v, int kind, void *ctx) {
  message_t *m = ctx;
  if (strcmp(name, "id") == 0) {
    m->has_id = 1;
    m->id_null = kind == J_NULL;
    m->id_is_one = kind == J_INT && int_value(v, 0) == 1;
  } else if (strcmp(name, "method") == 0) {
    buf_t method = {0};
    m->has_method = kind == J_STRING && read_string(&v, &method);
    m->is_output = m->has_method && method.data && strcmp(method.data, "output") == 0;
    free(method.data);
  } else if (strcmp(name, "params") == 0) {
    m->has_params = kind == J_OBJECT;
    m->params = v;
  } else if (strcmp(name, "result") == 0) {
    m->has_result = kind == J_OBJECT;
    m->result = v;
  } else if (strcmp(name, "error") == 0) {
    m->has_error = kind != J_NULL;
    m->error = v;
  }
  return 1;
}

/* The fields read from an output's params, a result or an error. */
typedef struct {
  buf_t text;
  int has_text, to_stderr;
  long long exit_code, code;
  int has_exit_code, has_code;
  buf_t message;
} fields_t;

static int visit_fields(const char *name, json_t v, int kind, void *ctx) {
  fields_t *f = ctx;
  if (strcmp(name, "text") == 0) {
    f->text.len = 0;
    f->has_text = kind == J_STRING && read_string(&v, &f->text);
  } else if (strcmp(name, "stream") == 0) {
    buf_t s = {0};
    f->to_stderr = kind == J_STRING && read_string(&v, &s) && s.data && strcmp(s.data, "stderr") == 0;
    free(s.data);
  } else if (strcmp(name, "exit_code") == 0) {
    f->has_exit_code = kind == J_INT;
    f->exit_code = int_value(v, 2);
  } else if (strcmp(name, "code") == 0) {
    f->has_code = kind == J_INT;
    f->code = int_value(v, INTERNAL_ERROR);
  } else if (strcmp(name, "message") == 0 && kind == J_STRING) {
    f->message.len = 0;
    read_string(&v, &f->message);
  }
  return 1;
}

/* Handles one line from the daemon (client.DaemonClient.exchange); returns when more should be read. */
static void handle_line(const char *line, size_t len) {
  json_t j = {line, line + len};
  message_t m = {0};
  ws(&j);
  if (j.p == j.end) return; /* an empty line: skipped */
  if (!each_field(&j, visit_message, &m)) failure("daemon unavailable", "the daemon sent a line that is not JSON");
  fields_t f = {0};
  if (!m.has_id || (m.id_null && m.has_method)) { /* a notification */
    if (m.is_output && m.has_params) {
      each_field(&m.params, visit_fields, &f);
      if (f.has_text) write_all(f.to_stderr ? 2 : 1, f.text.data, f.text.len);
    }
  } else if (m.id_null || (m.id_is_one && m.has_error)) {
    if (m.has_error && m.error.p[0] == '{') each_field(&m.error, visit_fields, &f);
    long long code = f.has_code ? f.code : INTERNAL_ERROR;
    if (code == SHUTTING_DOWN) failure("daemon unavailable", "the daemon is shutting down");
    if (f.message.data && strchr(f.message.data, '\n')) *strchr(f.message.data, '\n') = '\0';
    failure("daemon error", f.message.data ? f.message.data : "error without a message");
  } else if (m.id_is_one) {
    if (m.has_result) each_field(&m.result, visit_fields, &f);
    exit(f.has_exit_code ? (int)f.exit_code : 2);
  } /* else: the answer to another request, not ours */
  free(f.text.data);
  free(f.message.data);
}

static void converse(int fd, const buf_t *request) {
  for (size_t sent = 0; sent < request->len;) {
    ssize_t w = send(fd, request->data + sent, request->len - sent, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) hand_over();
    sent += (size_t)w;
  }
  /* No timeout on the answer: a command runs as long as it runs, as in the Java client. */
  buf_t pending = {0};
  char chunk[65536];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failure("daemon unavailable", "connection to the daemon lost during run");
    if (n == 0) failure("daemon unavailable", "the daemon closed the connection during run");
    buf_add(&pending, chunk, (size_t)n);
    size_t start = 0;
    for (char *nl; (nl = memchr(pending.data + start, '\n', pending.len - start)) != NULL;) {
      handle_line(pending.data + start, (size_t)(nl - pending.data - start));
      start = (size_t)(nl - pending.data) + 1;
    }
    memmove(pending.data, pending.data + start, pending.len - start);
    pending.len -= start;
    if ((long)pending.len > MAX_RESPONSE_BYTES) failure("daemon unavailable", "the daemon's answer to run is too large");
  }
}

/* cli.Launcher.commandName: the first argument that is neither an option nor --path's value. */
static const char *command_name(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--path") == 0) i++;
    else if (strcmp(argv[i], "--") == 0) return i + 1 < argc ? argv[i + 1] : NULL;
    else if (argv[i][0] != '-') return argv[i];
  }
  return NULL;
}

int main(int argc, char **argv) {
  original_argv = argv;
  sigaction(SIGPIPE, NULL, &original_sigpipe);
  const char *native = getenv("CIDX_NATIVE");
  const char *no_daemon = getenv("CIDX_NO_DAEMON");
  const char *command = command_name(argc, argv);
  if ((native && strcmp(native, "0") == 0) || (no_daemon && strcmp(no_daemon, "1") == 0) || command == NULL
      || strcmp(command, "query") != 0) {
    hand_over();
  }
  char cwd[PATH_MAX], dir[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == NULL) hand_over();
  const char *start = cwd;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--no-daemon") == 0) hand_over();
  }
  for (int i = 1; i < argc; i++) { /* --path DIR or --path=DIR, the last one wins (Launcher.findRepo) */
    if (strcmp(argv[i], "--path") == 0 && i + 1 < argc) start = argv[++i];
    else if (strncmp(argv[i], "--path=", 7) == 0) start = argv[i] + 7;
  }
  normalise(cwd, start, dir, sizeof dir);
  if (!find_repo(dir)) hand_over();
  const char *root = strcmp(dir, "/") == 0 ? "" : dir;
  char data_dir[PATH_MAX + 16], config[PATH_MAX + 32], socket_path[PATH_MAX + 32];
  snprintf(data_dir, sizeof data_dir, "%s/.code-indexer", root);
  snprintf(config, sizeof config, "%s/config.json", data_dir);
  snprintf(socket_path, sizeof socket_path, "%s/daemon.sock", data_dir);
  snprintf(log_file, sizeof log_file, "%s/daemon.log", data_dir);
  if (strlen(socket_path) > MAX_SOCKET_PATH_BYTES || !daemon_enabled(config)) hand_over();
  buf_t request = {0};
  build_request(&request, argc, argv, cwd);
  int fd = connect_trusted(socket_path, data_dir);
  if (fd < 0) hand_over();
  signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill us mid-conversation */
  converse(fd, &request);
  return 2; /* not reached: converse exits */
}
