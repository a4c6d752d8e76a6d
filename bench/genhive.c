/*
 * bench/genhive.c — a deterministic generator of large SOFTWARE-like hives
 * for `make bench`, written with bootfix's own writer (public API only).
 *
 *     genhive SEED MEGABYTES OUT
 *
 * Builds a format 1.5 hive shaped like a Windows SOFTWARE hive (Classes
 * with CLSIDs, file extensions and ProgIDs; Microsoft\Windows\CurrentVersion
 * with Installer components, Uninstall entries and deep branches; vendor
 * keys with many small values, a few keys with hundreds of values, about one
 * big-data value per 5,000 values, a few non-ASCII names) plus a small
 * SYSTEM-like part at the root (Select, ControlSet001/002 with CrashControl
 * and Memory Management) for the enable-dump edit workload.  Content is
 * added in identical "rounds", so every size has the same mix; adding stops
 * when the hive bins reach MEGABYTES MiB.  The same SEED and MEGABYTES give
 * the same keys, values and data (only timestamps differ).
 *
 * Prints "OUT: N bytes, K keys, V values, B big-data values, max depth D,
 * max subkeys S".  With GENHIVE_PROGRESS=1 in the environment it also
 * prints, on stderr, the time taken by every 10,000 keys and by the commit.
 */
#include "bootfix/hive.h"
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define BIG_EVERY 5000     /* values per big-data value */
#define POOL_MAX 8192      /* anchors for new application keys */
#define NAMESET_SLOTS 4096 /* value-name set of one key (a power of 2) */

/* What the generator knows about a key it created. */
typedef struct key_info {
    uint32_t node; /* BF_NONE: empty slot */
    uint32_t depth;
    uint32_t nsub;
} key_info;

typedef struct anchor {
    bf_node node;
    uint32_t depth;
} anchor;

typedef struct gen {
    bf_hive *h;
    const char *out;
    uint64_t rng;
    uint64_t target;
    uint64_t keys, values, big, since_big;
    uint32_t max_depth, max_sub;
    key_info *map; /* open addressing, keyed by node */
    size_t map_cap, map_used;
    anchor pool[POOL_MAX];
    size_t npool;
    bf_node classes, clsid, components, uninstall, uninstall32, deep_areas[8];
    size_t ndeep;
    uint64_t names[NAMESET_SLOTS]; /* hashes of the current key's value names */
    uint16_t used[NAMESET_SLOTS / 2];
    size_t nnames;
    uint8_t *big_buf;
    int progress;
    double t0, t_batch;
} gen;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd(gen *g) { return bench_rand(&g->rng); }
static uint32_t range(gen *g, uint32_t lo, uint32_t hi) { return lo + (uint32_t)(rnd(g) % (hi - lo + 1)); }
static int chance(gen *g, unsigned percent) { return rnd(g) % 100 < percent; }

/* ---- the key map: depth and subkey count of every key created ----------- */

static uint32_t map_slot(const gen *g, uint32_t node)
{
    uint32_t i = (uint32_t)((node * 0x9E3779B1u) & (g->map_cap - 1));
    while (g->map[i].node != BF_NONE && g->map[i].node != node)
        i = (i + 1) & (uint32_t)(g->map_cap - 1);
    return i;
}

static int map_grow(gen *g)
{
    key_info *old = g->map;
    size_t oldcap = g->map_cap;
    g->map_cap = oldcap ? oldcap * 2 : 4096;
    g->map = malloc(g->map_cap * sizeof *g->map);
    if (!g->map) {
        fprintf(stderr, "genhive: out of memory for the key map (%s)\n", g->out);
        return -1;
    }
    for (size_t i = 0; i < g->map_cap; i++)
        g->map[i].node = BF_NONE;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].node != BF_NONE)
            g->map[map_slot(g, old[i].node)] = old[i];
    free(old);
    return 0;
}

static key_info *map_get(gen *g, uint32_t node)
{
    key_info *k = &g->map[map_slot(g, node)];
    return k->node == node ? k : NULL;
}

static int map_put(gen *g, uint32_t node, uint32_t depth)
{
    if ((g->map_used + 1) * 2 > g->map_cap && map_grow(g) != 0)
        return -1;
    key_info *k = &g->map[map_slot(g, node)];
    *k = (key_info){node, depth, 0};
    g->map_used++;
    if (depth > g->max_depth)
        g->max_depth = depth;
    return 0;
}

/* ---- writing keys and values ----------------------------------------------- */

static void progress_tick(gen *g)
{
    if (!g->progress || g->keys % 10000 != 0)
        return;
    bf_hive_info info;
    bf_hive_get_info(g->h, &info);
    double t = now();
    fprintf(stderr, "genhive: %8llu keys %9llu values %7.1f MB  last 10k keys %6.3f s  total %7.2f s\n",
            (unsigned long long)g->keys, (unsigned long long)g->values, info.hbins_size / 1048576.0,
            t - g->t_batch, t - g->t0);
    g->t_batch = t;
}

/* Add subkey `name`; *created tells whether it is new (an existing key is
 * returned in *out, as bf_node_add does). */
static int add_key(gen *g, bf_node parent, const char *name, bf_node *out, int *created)
{
    bf_error e;
    int rc = bf_node_add(g->h, parent, name, out, &e);
    if (created)
        *created = rc == BF_OK;
    if (rc == BF_ERR_EXISTS)
        return 0;
    if (rc) {
        fprintf(stderr, "genhive: adding a key failed (%s, %s): %s\n", g->out, name, e.msg);
        return -1;
    }
    key_info *p = map_get(g, parent);
    uint32_t depth = p ? p->depth + 1 : 2;
    if (p && ++p->nsub > g->max_sub)
        g->max_sub = p->nsub;
    if (map_put(g, *out, depth) != 0)
        return -1;
    g->keys++;
    progress_tick(g);
    return 0;
}

/* A key that must be new: on a name clash, retry with a number appended. */
static int add_new_key(gen *g, bf_node parent, const char *name, bf_node *out)
{
    char buf[300];
    int created;
    snprintf(buf, sizeof buf, "%s", name);
    for (unsigned i = 2;; i++) {
        if (add_key(g, parent, buf, out, &created) != 0)
            return -1;
        if (created)
            return 0;
        snprintf(buf, sizeof buf, "%s%u", name, i);
    }
}

static int add_path(gen *g, bf_node start, const char *path, bf_node *out)
{
    char comp[256];
    bf_node cur = start;
    while (*path) {
        size_t n = strcspn(path, "\\");
        snprintf(comp, sizeof comp, "%.*s", (int)n, path);
        if (add_key(g, cur, comp, &cur, NULL) != 0)
            return -1;
        path += n;
        if (*path)
            path++;
    }
    *out = cur;
    return 0;
}

static int set_value(gen *g, bf_node n, const char *name, uint32_t type, const void *data, size_t len)
{
    bf_error e;
    int rc = bf_node_set_value(g->h, n, name, type, data, len, &e);
    if (rc) {
        fprintf(stderr, "genhive: setting a value failed (%s, %s): %s\n", g->out, name, e.msg);
        return -1;
    }
    g->values++;
    g->since_big++;
    return 0;
}

/* UTF-8 (BMP only) to UTF-16LE with a terminating NUL; returns bytes. */
static size_t utf16z(const char *s, uint8_t *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n + 4 <= cap) {
        uint32_t c = *p++;
        if (c >= 0xE0 && p[0] && p[1]) {
            c = (c & 0x0F) << 12 | (uint32_t)(p[0] & 0x3F) << 6 | (p[1] & 0x3F);
            p += 2;
        } else if (c >= 0xC0 && p[0]) {
            c = (c & 0x1F) << 6 | (p[0] & 0x3F);
            p++;
        }
        out[n++] = (uint8_t)c;
        out[n++] = (uint8_t)(c >> 8);
    }
    out[n++] = 0;
    out[n++] = 0;
    return n;
}

static int set_str(gen *g, bf_node n, const char *name, uint32_t type, const char *s)
{
    uint8_t buf[1024];
    return set_value(g, n, name, type, buf, utf16z(s, buf, sizeof buf - 2));
}

static int set_dword(gen *g, bf_node n, const char *name, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return set_value(g, n, name, BF_REG_DWORD, b, 4);
}

/* REG_MULTI_SZ of `count` strings. */
static int set_multi(gen *g, bf_node n, const char *name, const char *const *items, size_t count)
{
    uint8_t buf[2048];
    size_t len = 0;
    for (size_t i = 0; i < count && len < sizeof buf - 520; i++)
        len += utf16z(items[i], buf + len, 512);
    buf[len++] = 0;
    buf[len++] = 0;
    return set_value(g, n, name, BF_REG_MULTI_SZ, buf, len);
}

/* ---- names and text ----------------------------------------------------------- */

static const char *const words[] = {
    "Windows", "Shell", "Explorer", "Update", "Policy", "Driver", "Service", "Config", "Settings", "Cache",
    "Network", "Audio", "Display", "Print", "Search", "Security", "Telemetry", "Feature", "Provider", "Handler",
    "Extension", "Component", "Manager", "Store", "Runtime", "Install", "Package", "Profile", "Session", "Device",
    "Media", "Player", "Font", "Input", "Language", "Sync", "Backup", "Recovery", "Notification", "Task",
    "Scheduler", "Power", "Storage", "Volume", "Firewall", "Defender", "Office", "Graphics", "Cloud", "Account",
    "Identity", "Credential", "Logon", "Boot", "Kernel", "Memory", "Performance", "Diagnostics", "Event", "Log",
    "Trace", "Debug", "Assembly", "Framework", "Version", "Registration", "Capability", "Permission", "Mapping",
    "Association", "Protocol", "Filter", "Codec", "Plugin", "Theme", "Color", "Cursor", "Sound", "Keyboard",
    "Mouse", "Touch", "Pen", "Camera", "Location", "Sensor", "Bluetooth", "Wireless", "Adapter", "Proxy",
    "Certificate", "Crypto", "Trust", "Zone", "Internet", "Download", "Maintenance", "Cleanup", "Index",
    "Catalog", "Metadata", "Enable", "Disable", "Default", "Last", "Max", "Min", "Timeout", "Interval", "Mode",
    "Level", "Flags", "Options", "State", "Status", "Path", "Name", "Count", "Size", "Time", "Id", "Type",
};
#define NWORDS (sizeof words / sizeof *words)

static const char *const vendors[] = {
    "Adobe", "Google", "Intel", "NVIDIA Corporation", "Realtek", "Mozilla", "Oracle", "VideoLAN", "7-Zip",
    "Python", "Dell", "Lenovo", "Hewlett-Packard", "Logitech", "Valve", "Apple Inc.", "Citrix", "VMware, Inc.",
    "Zoom", "Notepad++", "Khronos", "Wow6432Node", "Classes", "Clients", "ODBC", "Policies",
    "RegisteredApplications", "Macromedia", "Tencent", "Symantec",
};
#define NVENDORS (sizeof vendors / sizeof *vendors)

static const char *const non_ascii[] = {
    "Überprüfung", "Ελληνικά", "Русский", "Français Paramètres", "日本語", "Ärger Öl Übel", "Čeština",
    "Español Configuración",
};
#define NNONASCII (sizeof non_ascii / sizeof *non_ascii)

static const char *const areas[] = {
    "Explorer", "Component Based Servicing", "Shell Extensions", "Group Policy", "WINEVT", "AppModel",
    "Authentication", "CloudStore",
};

/* CamelCase words, sometimes camelCase, lowercase or UPPERCASE. */
static void camel(gen *g, char *buf, size_t cap, unsigned nwords)
{
    size_t n = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < nwords; i++)
        n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s", words[rnd(g) % NWORDS]);
    unsigned style = (unsigned)(rnd(g) % 100);
    for (char *p = buf; *p; p++) {
        if (style < 8 && p == buf && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (style >= 8 && style < 11 && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        else if (style >= 11 && style < 14 && *p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    }
}

static void guid(gen *g, char *buf, size_t cap)
{
    uint64_t a = rnd(g), b = rnd(g);
    snprintf(buf, cap, "{%08X-%04X-%04X-%04X-%012llX}", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xFFFF,
             (unsigned)a & 0xFFFF, (unsigned)(b >> 48), (unsigned long long)(b & 0xFFFFFFFFFFFFull));
}

static void hex32(gen *g, char *buf, size_t cap)
{
    snprintf(buf, cap, "%016llX%016llX", (unsigned long long)rnd(g), (unsigned long long)rnd(g));
}

/* A string of roughly 10-80 characters. */
static void text(gen *g, char *buf, size_t cap)
{
    char a[64], b[64];
    camel(g, a, sizeof a, range(g, 1, 2));
    camel(g, b, sizeof b, range(g, 1, 3));
    switch (rnd(g) % 6) {
    case 0:
        snprintf(buf, cap, "C:\\Program Files\\%s\\%s\\%s.dll", vendors[rnd(g) % NVENDORS], a, b);
        break;
    case 1:
        snprintf(buf, cap, "%u.%u.%u.%u", range(g, 1, 20), range(g, 0, 9), range(g, 0, 30000), range(g, 0, 9999));
        break;
    case 2:
        guid(g, buf, cap);
        break;
    case 3:
        snprintf(buf, cap, "https://www.%s.example.com/%s/%s", a, b, a);
        break;
    case 4:
        snprintf(buf, cap, "%s %s for %s", a, b, vendors[rnd(g) % NVENDORS]);
        break;
    default:
        snprintf(buf, cap, "%%SystemRoot%%\\System32\\%s%s.exe", a, b);
        break;
    }
    if (strlen(buf) > 80)
        buf[80] = 0;
}

/* Value names of one key are kept unique (case-insensitively): an open
 * addressing set of the hashes of the uppercase names given to the current
 * key, emptied (only the slots used) when the next key starts. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (c >= 'a' && c <= 'z' ? c - 32 : c)) * 1099511628211ull;
    }
    return h | 1; /* 0 marks an empty slot */
}

static void names_reset(gen *g)
{
    for (size_t i = 0; i < g->nnames; i++)
        g->names[g->used[i]] = 0;
    g->nnames = 0;
}

/* Add `name` to the set; 0 if it was already there. */
static int names_add(gen *g, const char *name)
{
    uint64_t h = name_hash(name);
    size_t i = (size_t)(h >> 20) & (NAMESET_SLOTS - 1);
    while (g->names[i] && g->names[i] != h)
        i = (i + 1) & (NAMESET_SLOTS - 1);
    if (g->names[i])
        return 0;
    if (g->nnames < NAMESET_SLOTS / 2) { /* past that, names are assumed unique */
        g->names[i] = h;
        g->used[g->nnames++] = (uint16_t)i;
    }
    return 1;
}

/* Make `name` unique among the current key's value names (append 2, 3...). */
static void unique_name(gen *g, char *name, size_t cap)
{
    size_t base = strlen(name);
    for (unsigned k = 2; !names_add(g, name); k++)
        snprintf(name + base, cap - base, "%u", k);
}

/* ---- content ---------------------------------------------------------------- */

/* A value of a random small type, or a big REG_BINARY when one is due. */
static int random_value(gen *g, bf_node n)
{
    char name[160], s[256];
    if (g->since_big >= BIG_EVERY) {
        uint32_t len = range(g, 20 * 1024, 200 * 1024);
        for (uint32_t i = 0; i < len; i += 8) {
            uint64_t r = rnd(g);
            memcpy(g->big_buf + i, &r, 8);
        }
        camel(g, name, 80, 1);
        strcat(name, "Blob");
        unique_name(g, name, sizeof name);
        g->since_big = 0;
        g->big++;
        return set_value(g, n, name, BF_REG_BINARY, g->big_buf, len);
    }
    camel(g, name, 120, range(g, 1, 3));
    unique_name(g, name, sizeof name);
    unsigned kind = (unsigned)(rnd(g) % 100);
    if (kind < 35)
        return set_dword(g, n, name, chance(g, 60) ? range(g, 0, 3) : (uint32_t)rnd(g));
    if (kind < 70) {
        text(g, s, sizeof s);
        return set_str(g, n, name, BF_REG_SZ, s);
    }
    if (kind < 75) {
        text(g, s, sizeof s);
        return set_str(g, n, name, BF_REG_EXPAND_SZ, s);
    }
    if (kind < 83) {
        uint64_t q = 0x01D0000000000000ull + (rnd(g) >> 12);
        return set_value(g, n, name, BF_REG_QWORD, &q, 8);
    }
    if (kind < 95) {
        uint8_t b[64];
        uint32_t len = range(g, 1, 64);
        for (uint32_t i = 0; i < len; i++)
            b[i] = (uint8_t)rnd(g);
        return set_value(g, n, name, BF_REG_BINARY, b, len);
    }
    char items[4][96];
    const char *ptrs[4];
    uint32_t count = range(g, 1, 4);
    for (uint32_t i = 0; i < count; i++) {
        text(g, items[i], sizeof items[i]);
        ptrs[i] = items[i];
    }
    return set_multi(g, n, name, ptrs, count);
}

static int random_values(gen *g, bf_node n, uint32_t count)
{
    names_reset(g);
    for (uint32_t i = 0; i < count; i++)
        if (random_value(g, n) != 0)
            return -1;
    return 0;
}

static void pool_add(gen *g, bf_node n, uint32_t depth)
{
    if (g->npool < POOL_MAX)
        g->pool[g->npool++] = (anchor){n, depth};
    else
        g->pool[rnd(g) % POOL_MAX] = (anchor){n, depth};
}

/* Classes\CLSID\{guid} with InprocServer32 or LocalServer32, ProgID, ... */
static int add_clsid(gen *g)
{
    char id[64], s[256], a[64], b[64];
    bf_node k, sub;
    int created;
    guid(g, id, sizeof id);
    if (add_key(g, g->clsid, id, &k, &created) != 0)
        return -1;
    if (!created)
        return 0;
    camel(g, a, sizeof a, 1);
    camel(g, b, sizeof b, range(g, 1, 2));
    snprintf(s, sizeof s, "%s %s Class", a, b);
    if (set_str(g, k, "", BF_REG_SZ, s) != 0)
        return -1;
    int local = chance(g, 15);
    if (add_key(g, k, local ? "LocalServer32" : "InprocServer32", &sub, NULL) != 0)
        return -1;
    snprintf(s, sizeof s, local ? "\"%%ProgramFiles%%\\%s\\%s.exe\" /automation" : "%%SystemRoot%%\\System32\\%s%s.dll",
             a, b);
    if (set_str(g, sub, "", BF_REG_EXPAND_SZ, s) != 0)
        return -1;
    static const char *const models[] = {"Apartment", "Both", "Free", "Neutral"};
    if (!local && set_str(g, sub, "ThreadingModel", BF_REG_SZ, models[rnd(g) % 4]) != 0)
        return -1;
    if (chance(g, 60)) {
        snprintf(s, sizeof s, "%s.%s.%u", a, b, range(g, 1, 3));
        if (add_key(g, k, "ProgID", &sub, NULL) != 0 || set_str(g, sub, "", BF_REG_SZ, s) != 0)
            return -1;
    }
    if (chance(g, 40)) {
        snprintf(s, sizeof s, "%u.%u", range(g, 1, 9), range(g, 0, 9));
        if (add_key(g, k, "Version", &sub, NULL) != 0 || set_str(g, sub, "", BF_REG_SZ, s) != 0)
            return -1;
    }
    if (chance(g, 30)) {
        guid(g, s, sizeof s);
        if (add_key(g, k, "TypeLib", &sub, NULL) != 0 || set_str(g, sub, "", BF_REG_SZ, s) != 0)
            return -1;
    }
    if (chance(g, 20)) {
        guid(g, s, sizeof s);
        if (add_path(g, k, "Implemented Categories", &sub) != 0 || add_key(g, sub, s, &sub, NULL) != 0)
            return -1;
    }
    if (chance(g, 10)) {
        guid(g, s, sizeof s);
        if (set_str(g, k, "AppID", BF_REG_SZ, s) != 0)
            return -1;
    }
    return 0;
}

/* Classes\.ext with a default value (its ProgID) and sometimes more. */
static int add_extension(gen *g)
{
    char ext[16], a[64], s[128];
    bf_node k, sub;
    int created;
    uint32_t len = range(g, 2, 6);
    ext[0] = '.';
    for (uint32_t i = 1; i <= len; i++)
        ext[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rnd(g) % (i == 1 ? 26 : 36)];
    ext[len + 1] = 0;
    if (add_key(g, g->classes, ext, &k, &created) != 0)
        return -1;
    if (!created)
        return 0;
    camel(g, a, sizeof a, 2);
    snprintf(s, sizeof s, "%s%s", a, ext);
    if (set_str(g, k, "", BF_REG_SZ, s) != 0)
        return -1;
    if (chance(g, 30)) {
        snprintf(s, sizeof s, "application/x-%s", ext + 1);
        if (set_str(g, k, "Content Type", BF_REG_SZ, s) != 0)
            return -1;
    }
    if (chance(g, 20) && set_str(g, k, "PerceivedType", BF_REG_SZ, chance(g, 50) ? "document" : "image") != 0)
        return -1;
    if (chance(g, 20)) {
        if (add_key(g, k, "OpenWithProgids", &sub, NULL) != 0)
            return -1;
        names_reset(g);
        for (uint32_t i = range(g, 1, 3); i > 0; i--) {
            camel(g, a, sizeof a, 2);
            snprintf(s, sizeof s, "%s%s.%u", a, ext, i);
            unique_name(g, s, sizeof s);
            if (set_value(g, sub, s, BF_REG_NONE, NULL, 0) != 0)
                return -1;
        }
    }
    return 0;
}

/* Classes\Vendor.Thing.N with a default value, CLSID and CurVer. */
static int add_progid(gen *g)
{
    char a[64], b[64], name[160], s[256];
    bf_node k, sub;
    camel(g, a, sizeof a, 1);
    camel(g, b, sizeof b, range(g, 1, 2));
    snprintf(name, sizeof name, "%s.%s.%u", a, b, range(g, 1, 12));
    int created;
    if (add_key(g, g->classes, name, &k, &created) != 0)
        return -1;
    if (!created)
        return 0;
    snprintf(s, sizeof s, "%s %s Object", a, b);
    if (set_str(g, k, "", BF_REG_SZ, s) != 0)
        return -1;
    guid(g, s, sizeof s);
    if (add_key(g, k, "CLSID", &sub, NULL) != 0 || set_str(g, sub, "", BF_REG_SZ, s) != 0)
        return -1;
    if (chance(g, 40)) {
        if (add_key(g, k, "CurVer", &sub, NULL) != 0 || set_str(g, sub, "", BF_REG_SZ, name) != 0)
            return -1;
    }
    return 0;
}

/* Installer\UserData\S-1-5-18\Components\<32 hex> with 1-3 product values. */
static int add_component(gen *g)
{
    char id[40], prod[40], path[256];
    bf_node k;
    hex32(g, id, sizeof id);
    if (add_new_key(g, g->components, id, &k) != 0)
        return -1;
    for (uint32_t i = range(g, 1, 3); i > 0; i--) {
        hex32(g, prod, sizeof prod);
        text(g, path, sizeof path);
        if (set_str(g, k, prod, BF_REG_SZ, path) != 0)
            return -1;
    }
    return 0;
}

/* Uninstall\{guid} with the usual dozen values. */
static int add_uninstall(gen *g)
{
    char id[64], a[64], s[256];
    bf_node k;
    guid(g, id, sizeof id);
    if (add_new_key(g, chance(g, 50) ? g->uninstall : g->uninstall32, id, &k) != 0)
        return -1;
    camel(g, a, sizeof a, 2);
    const char *vendor = vendors[rnd(g) % NVENDORS];
    snprintf(s, sizeof s, "%s %s", vendor, a);
    if (set_str(g, k, "DisplayName", BF_REG_SZ, s) != 0)
        return -1;
    snprintf(s, sizeof s, "%u.%u.%u", range(g, 1, 30), range(g, 0, 99), range(g, 0, 9999));
    if (set_str(g, k, "DisplayVersion", BF_REG_SZ, s) != 0 || set_str(g, k, "Publisher", BF_REG_SZ, vendor) != 0)
        return -1;
    snprintf(s, sizeof s, "20%02u%02u%02u", range(g, 10, 24), range(g, 1, 12), range(g, 1, 28));
    if (set_str(g, k, "InstallDate", BF_REG_SZ, s) != 0)
        return -1;
    snprintf(s, sizeof s, "C:\\Program Files\\%s\\%s\\", vendor, a);
    if (set_str(g, k, "InstallLocation", BF_REG_SZ, s) != 0)
        return -1;
    snprintf(s, sizeof s, "MsiExec.exe /X%s", id);
    if (set_str(g, k, "UninstallString", BF_REG_EXPAND_SZ, s) != 0 ||
        set_str(g, k, "ModifyPath", BF_REG_EXPAND_SZ, s) != 0)
        return -1;
    if (set_dword(g, k, "EstimatedSize", range(g, 100, 2000000)) != 0 || set_dword(g, k, "NoModify", 1) != 0 ||
        set_dword(g, k, "NoRepair", range(g, 0, 1)) != 0 || set_dword(g, k, "VersionMajor", range(g, 1, 30)) != 0 ||
        set_dword(g, k, "VersionMinor", range(g, 0, 99)) != 0 || set_dword(g, k, "WindowsInstaller", 1) != 0 ||
        set_dword(g, k, "Language", 1033) != 0)
        return -1;
    return 0;
}

/* A chain of keys below one of the CurrentVersion areas, 10-20 levels deep
 * in all (the root is level 1); its keys become anchors. */
static int add_deep_branch(gen *g)
{
    size_t a = rnd(g) % g->ndeep;
    bf_node cur = g->deep_areas[a];
    key_info *ki = map_get(g, cur);
    uint32_t depth = ki ? ki->depth : 5;
    uint32_t want = chance(g, 80) ? range(g, 10, 14) : range(g, 15, 20);
    char name[128];
    for (; depth < want; depth++) {
        int created;
        camel(g, name, 100, range(g, 1, 2));
        if (chance(g, 30))
            snprintf(name + strlen(name), 20, "%u", range(g, 0, 99));
        if (add_key(g, cur, name, &cur, &created) != 0)
            return -1;
        if (created) {
            if (random_values(g, cur, range(g, 0, 3)) != 0)
                return -1;
            pool_add(g, cur, depth + 1);
        }
    }
    return 0;
}

/* An application key under an anchor with a few to hundreds of values. */
static int add_app_key(gen *g)
{
    const anchor *an = &g->pool[rnd(g) % g->npool];
    char name[128];
    bf_node k;
    camel(g, name, 100, range(g, 1, 2));
    if (add_new_key(g, an->node, name, &k) != 0)
        return -1;
    unsigned p = (unsigned)(rnd(g) % 100);
    uint32_t count = p < 70 ? range(g, 1, 12) : p < 95 ? range(g, 12, 60) : range(g, 100, 600);
    if (random_values(g, k, count) != 0)
        return -1;
    if (an->depth < 9)
        pool_add(g, k, an->depth + 1);
    return 0;
}

/* A key with a non-ASCII name (UTF-16 in the hive) and a value with one. */
static int add_non_ascii(gen *g, uint64_t round)
{
    char name[128];
    bf_node k;
    snprintf(name, sizeof name, "%s %llu", non_ascii[(round / 500) % NNONASCII], (unsigned long long)round);
    if (add_new_key(g, g->pool[rnd(g) % g->npool].node, name, &k) != 0)
        return -1;
    return set_str(g, k, non_ascii[rnd(g) % NNONASCII], BF_REG_SZ, "Ελληνικά Überprüfung данные");
}

static int add_round(gen *g, uint64_t r)
{
    if (add_clsid(g) != 0 || add_component(g) != 0 || add_app_key(g) != 0)
        return -1;
    if (r % 2 == 0 && (add_extension(g) != 0 || add_clsid(g) != 0))
        return -1;
    if (r % 3 == 0 && add_progid(g) != 0)
        return -1;
    if (r % 7 == 0 && add_uninstall(g) != 0)
        return -1;
    if (r % 25 == 0 && add_deep_branch(g) != 0)
        return -1;
    if (r % 500 == 250 && add_non_ascii(g, r) != 0)
        return -1;
    return 0;
}

/* ---- the fixed skeleton ------------------------------------------------------ */

/* Select and ControlSet001/002 with the values the enable-dump edit sets. */
static int add_system_part(gen *g, bf_node root)
{
    bf_node sel, k;
    if (add_key(g, root, "Select", &sel, NULL) != 0 || set_dword(g, sel, "Current", 1) != 0 ||
        set_dword(g, sel, "Default", 1) != 0 || set_dword(g, sel, "Failed", 0) != 0 ||
        set_dword(g, sel, "LastKnownGood", 2) != 0)
        return -1;
    static const char *const sets[] = {"ControlSet001\\Control", "ControlSet002\\Control"};
    static const char *const paging[] = {"?:\\pagefile.sys"};
    for (int i = 0; i < 2; i++) {
        bf_node ctl;
        if (add_path(g, root, sets[i], &ctl) != 0 || add_key(g, ctl, "CrashControl", &k, NULL) != 0 ||
            set_dword(g, k, "CrashDumpEnabled", 7) != 0 || set_dword(g, k, "AutoReboot", 1) != 0 ||
            set_dword(g, k, "Overwrite", 1) != 0 ||
            set_str(g, k, "DumpFile", BF_REG_EXPAND_SZ, "%SystemRoot%\\MEMORY.DMP") != 0 ||
            add_path(g, ctl, "Session Manager\\Memory Management", &k) != 0 ||
            set_multi(g, k, "PagingFiles", paging, 1) != 0)
            return -1;
    }
    return 0;
}

static int add_skeleton(gen *g, bf_node root)
{
    bf_node k, cv;
    if (add_system_part(g, root) != 0 || add_key(g, root, "Classes", &g->classes, NULL) != 0 ||
        add_key(g, g->classes, "CLSID", &g->clsid, NULL) != 0 ||
        add_path(g, root, "Microsoft\\Windows\\CurrentVersion", &cv) != 0 ||
        add_path(g, cv, "Installer\\UserData\\S-1-5-18\\Components", &g->components) != 0 ||
        add_key(g, cv, "Uninstall", &g->uninstall, NULL) != 0 ||
        add_path(g, root, "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall", &g->uninstall32) != 0)
        return -1;
    if (set_str(g, cv, "ProgramFilesDir", BF_REG_SZ, "C:\\Program Files") != 0 ||
        set_str(g, cv, "CommonFilesDir", BF_REG_SZ, "C:\\Program Files\\Common Files") != 0 ||
        set_str(g, cv, "DevicePath", BF_REG_EXPAND_SZ, "%SystemRoot%\\inf") != 0)
        return -1;
    for (size_t i = 0; i < sizeof areas / sizeof *areas; i++) {
        if (add_key(g, cv, areas[i], &k, NULL) != 0)
            return -1;
        g->deep_areas[g->ndeep++] = k;
        pool_add(g, k, 5);
    }
    static const char *const nt[] = {"Microsoft\\Windows NT\\CurrentVersion\\Winlogon",
                                     "Microsoft\\Windows NT\\CurrentVersion\\Fonts",
                                     "Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options",
                                     "Microsoft\\Windows\\CurrentVersion\\Überprüfung",
                                     "Microsoft\\Windows\\CurrentVersion\\Ελληνικά",
                                     "Policies\\Microsoft\\Windows", "RegisteredApplications"};
    for (size_t i = 0; i < sizeof nt / sizeof *nt; i++) {
        if (add_path(g, root, nt[i], &k) != 0)
            return -1;
        pool_add(g, k, 4);
    }
    for (size_t i = 0; i < NVENDORS; i++) {
        if (add_key(g, root, vendors[i], &k, NULL) != 0)
            return -1;
        pool_add(g, k, 2);
    }
    return 0;
}

/* ---- main ------------------------------------------------------------------------ */

static uint32_t hbins_size(gen *g)
{
    bf_hive_info info;
    if (bf_hive_get_info(g->h, &info) != BF_OK)
        return 0;
    return info.hbins_size;
}

static int generate(gen *g)
{
    bf_error e;
    if (bf_hive_new(5, "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}", &g->h, &e) != BF_OK) {
        fprintf(stderr, "genhive: creating a hive failed (%s): %s\n", g->out, e.msg);
        return -1;
    }
    bf_node root = bf_hive_root(g->h);
    if (map_grow(g) != 0 || map_put(g, root, 1) != 0)
        return -1;
    g->keys = 1;
    if (add_skeleton(g, root) != 0)
        return -1;
    for (uint64_t r = 0; hbins_size(g) < g->target; r++)
        if (add_round(g, r) != 0)
            return -1;
    double t = now();
    if (g->progress)
        fprintf(stderr, "genhive: built %llu keys %llu values, %.1f MB of bins in %.2f s; committing\n",
                (unsigned long long)g->keys, (unsigned long long)g->values, hbins_size(g) / 1048576.0, t - g->t0);
    bf_commit_opts opts = {.out_path = g->out, .backup_path = NULL, .no_libregf = 0};
    if (bf_hive_commit(g->h, &opts, &e) != BF_OK) {
        fprintf(stderr, "genhive: committing the hive failed (%s): %s\n", g->out, e.msg);
        return -1;
    }
    if (g->progress)
        fprintf(stderr, "genhive: commit %.2f s, total %.2f s\n", now() - t, now() - g->t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4 || atoi(argv[2]) <= 0) {
        fprintf(stderr, "usage: genhive SEED MEGABYTES OUT\n");
        return 2;
    }
    static gen g;
    g.out = argv[3];
    g.rng = strtoull(argv[1], NULL, 0);
    g.target = (uint64_t)atoi(argv[2]) << 20;
    const char *pe = getenv("GENHIVE_PROGRESS");
    g.progress = pe && *pe && strcmp(pe, "0") != 0;
    g.t0 = g.t_batch = now();
    g.big_buf = malloc(200 * 1024 + 8);
    if (!g.big_buf) {
        fprintf(stderr, "genhive: out of memory (%s)\n", g.out);
        return 1;
    }
    int rc = generate(&g);
    bf_hive_close(g.h);
    free(g.map);
    free(g.big_buf);
    if (rc != 0)
        return 1;
    struct stat st;
    if (stat(g.out, &st) != 0) {
        fprintf(stderr, "genhive: cannot stat the written file (%s)\n", g.out);
        return 1;
    }
    printf("%s: %lld bytes, %llu keys, %llu values, %llu big-data values, max depth %u, max subkeys %u\n", g.out,
           (long long)st.st_size, (unsigned long long)g.keys, (unsigned long long)g.values,
           (unsigned long long)g.big, g.max_depth, g.max_sub);
    return 0;
}
