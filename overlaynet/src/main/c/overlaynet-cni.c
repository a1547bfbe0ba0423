/*
 * overlaynet-cni: the CNI plugin executable. It only carries the runtime's call (the CNI_* variables
 * and the network configuration on stdin) to this host's overlaynet agent over its Unix socket, and
 * the agent's answer back to stdout with its exit code: every decision is the agent's (Java), which
 * is already running and warm. A JVM started per call would cost more than the whole ADD of the
 * reference Go plugins (docs/decisions.md).
 *
 * What it does on its own, because the agent may not be there:
 *  - VERSION: answered here (runtimes call it often);
 *  - DEL while the agent is down: written to /run/overlaynet/cni-spool/<netns inode>/ for the agent
 *    to complete when it starts, and reported as done (DEL must succeed);
 *  - anything else while the agent is down: CNI error 11 (try again later), STATUS error 50.
 *
 * The agent is found by the network namespace the plugin runs in (each agent links its socket as
 * /run/overlaynet/agents/<netns inode>.sock), unless the configuration names "agentSocket".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define VERSIONS "[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]"
#define SPOOL "/run/overlaynet/cni-spool"
#define MAX_CONFIG (1 << 20)

static char config[MAX_CONFIG + 1];
static size_t config_len;

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v ? v : "";
}

/* The string value of a top-level-looking "key": "value" in the configuration (no escapes in it). */
static int json_string(const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(config, pattern);
    if (!p) {
        return 0;
    }
    p += strlen(pattern);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ':') {
        p++;
    }
    if (*p != '"') {
        return 0;
    }
    p++;
    size_t n = 0;
    while (*p && *p != '"' && *p != '\\' && n + 1 < size) {
        out[n++] = *p++;
    }
    out[n] = 0;
    return *p == '"';
}

static int fail(int code, const char *msg) {
    char version[32] = "1.1.0";
    json_string("cniVersion", version, sizeof version);
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"%s\"}\n", version, code, msg);
    return 1;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

/* A header value must not break the request: no CR or LF. */
static int clean(const char *v) {
    return strchr(v, '\r') == NULL && strchr(v, '\n') == NULL;
}

static int agent_socket(char *path, size_t size) {
    if (json_string("agentSocket", path, size) && path[0]) {
        return 0;
    }
    struct stat st;
    if (stat("/proc/self/ns/net", &st) != 0) {
        return -1;
    }
    snprintf(path, size, "/run/overlaynet/agents/%lu.sock", (unsigned long) st.st_ino);
    return 0;
}

/*
 * DEL while the agent is down: the call is kept, whole, for the agent of this network namespace to
 * finish when it starts (/run/overlaynet/cni-spool/<netns inode>/).
 */
static int spool_del(void) {
    struct stat st;
    if (stat("/proc/self/ns/net", &st) != 0) {
        return fail(5, "cannot keep this DEL for the agent: /proc/self/ns/net is not readable");
    }
    char dir[128], tmp[256], name[256];
    snprintf(dir, sizeof dir, SPOOL "/%lu", (unsigned long) st.st_ino);
    mkdir("/run/overlaynet", 0755);
    mkdir(SPOOL, 0700);
    mkdir(dir, 0700);
    snprintf(tmp, sizeof tmp, "%s/.%ld.tmp", dir, (long) getpid());
    snprintf(name, sizeof name, "%s/del-%ld-%ld.call", dir, (long) time(NULL), (long) getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        return fail(5, "cannot keep this DEL for the agent: the spool directory " SPOOL " is not writable");
    }
    fprintf(f, "%s\n%s\n%s\n%s\n%s\n", env("CNI_CONTAINERID"), env("CNI_NETNS"), env("CNI_IFNAME"), env("CNI_ARGS"),
            env("CNI_PATH"));
    fwrite(config, 1, config_len, f);
    if (fclose(f) != 0 || rename(tmp, name) != 0) {
        unlink(tmp);
        return fail(5, "cannot keep this DEL for the agent: writing the spool directory " SPOOL " failed");
    }
    return 0;
}

int main(void) {
    const char *command = env("CNI_COMMAND");
    size_t n;
    while ((n = fread(config + config_len, 1, MAX_CONFIG - config_len, stdin)) > 0) {
        config_len += n;
    }
    config[config_len] = 0;
    if (strcmp(command, "VERSION") == 0) {
        printf("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":" VERSIONS "}\n");
        return 0;
    }
    if (!command[0]) {
        return fail(4, "CNI_COMMAND is not set: overlaynet-cni is run by a container runtime (ADD, DEL, CHECK, STATUS, GC, VERSION)");
    }
    const char *names[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!clean(env(names[i]))) {
            return fail(4, "a CNI_ variable holds a line break: give single-line values");
        }
    }
    char path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
    int fd = -1;
    if (agent_socket(path, sizeof path) == 0) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        memcpy(addr.sun_path, path, strlen(path) + 1);
        if (fd >= 0 && connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        if (strcmp(command, "DEL") == 0) {
            return spool_del();
        }
        if (strcmp(command, "STATUS") == 0) {
            return fail(50, "no overlaynet agent runs on this host: start 'overlaynet agent'");
        }
        return fail(11, "no overlaynet agent answers on this host: start 'overlaynet agent', then try again");
    }
    char head[4096];
    int len = snprintf(head, sizeof head,
            "POST /v1/cni HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
            "CNI-Command: %s\r\nCNI-ContainerID: %s\r\nCNI-Netns: %s\r\nCNI-Ifname: %s\r\nCNI-Args: %s\r\n"
            "CNI-Path: %s\r\nConnection: close\r\n\r\n",
            config_len, command, env("CNI_CONTAINERID"), env("CNI_NETNS"), env("CNI_IFNAME"), env("CNI_ARGS"),
            env("CNI_PATH"));
    if (len < 0 || (size_t) len >= sizeof head) {
        close(fd);
        return fail(4, "the CNI_ variables are too long (4 KiB in all)");
    }
    if (write_all(fd, head, (size_t) len) != 0 || write_all(fd, config, config_len) != 0) {
        close(fd);
        return fail(11, "the overlaynet agent closed the connection: try again");
    }
    /* The answer: "HTTP/1.1 <status> ...", headers, then the plugin's stdout as the body. */
    static char answer[MAX_CONFIG];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof answer - 1 && (r = read(fd, answer + got, sizeof answer - 1 - got)) != 0) {
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        got += (size_t) r;
    }
    close(fd);
    answer[got] = 0;
    char *body = strstr(answer, "\r\n\r\n");
    int status = 0;
    if (!body || sscanf(answer, "HTTP/1.1 %d", &status) != 1) {
        return fail(11, "the overlaynet agent gave no answer: try again");
    }
    body += 4;
    fputs(body, stdout);
    return status == 200 ? 0 : 1;
}
