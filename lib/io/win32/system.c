/* system.c — what Windows provides to libbootfix beyond file operations
 * (lib/io/platform.h): volumes and the other volumes of a target's
 * physical disk, the running system's Windows folder, file identity, time,
 * run-time libraries, error texts, and a console that shows UTF-8. */
#include "io/io.h"
#include "io/win32/wpath.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <shellapi.h> /* CommandLineToArgvW */
#include <winioctl.h> /* IOCTL_STORAGE_GET_DEVICE_NUMBER */

/* Room for a volume name "\\?\Volume{GUID}\" and its terminator. */
#define VOLUME_NAME_LEN 64

/* ---- volumes ----------------------------------------------------------------------------- */

/* The root of the volume holding `path` ("\\?\F:\", a mount folder...),
 * malloc'd.  0 or errno. */
static int volume_root_of(const char *path, wchar_t **out)
{
    *out = NULL;
    wchar_t *w;
    int e = bf_w_path(path, &w);
    if (e)
        return e;
    size_t cap = wcslen(w) + 2;
    wchar_t *root = bf_malloc(cap * sizeof *root);
    if (!root)
        e = ENOMEM;
    else if (!GetVolumePathNameW(w, root, (DWORD)cap))
        e = bf_w_last_errno();
    free(w);
    if (e) {
        free(root);
        return e;
    }
    *out = root;
    return 0;
}

int bf_io_volume_of(const char *path, bf_io_volume *v)
{
    memset(v, 0, sizeof *v);
    wchar_t *root;
    int e = volume_root_of(path, &root);
    if (e)
        return e;
    const wchar_t *r = bf_w_plain_root(root);
    DWORD flags = 0;
    if (GetVolumeInformationW(r, NULL, 0, NULL, NULL, &flags, NULL, 0))
        v->readonly = (flags & FILE_READ_ONLY_VOLUME) != 0;
    ULARGE_INTEGER avail, total;
    if (GetDiskFreeSpaceExW(r, &avail, &total, NULL)) {
        v->space_known = 1;
        v->free_bytes = avail.QuadPart;
        v->total_bytes = total.QuadPart;
    }
    free(root);
    return 0;
}

/* ---- the other volumes of a disk ------------------------------------------------------- */

/* "\\?\Volume{GUID}\" -> "\\.\Volume{GUID}": the volume device itself. */
static HANDLE open_volume_device(const wchar_t *volname)
{
    wchar_t dev[VOLUME_NAME_LEN];
    size_t n = wcslen(volname);
    if (n < 5 || n >= VOLUME_NAME_LEN)
        return INVALID_HANDLE_VALUE;
    memcpy(dev, volname, (n + 1) * sizeof *dev);
    dev[2] = L'.';
    if (dev[n - 1] == L'\\')
        dev[n - 1] = 0;
    return CreateFileW(dev, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0,
                       NULL);
}

/* The disk of a volume, and its size in *size when the device says (else
 * *size untouched).  1 when known. */
static int device_number_of(const wchar_t *volname, STORAGE_DEVICE_NUMBER *sdn, uint64_t *size)
{
    HANDLE h = open_volume_device(volname);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    DWORD got = 0;
    int ok = DeviceIoControl(h, IOCTL_STORAGE_GET_DEVICE_NUMBER, NULL, 0, sdn, sizeof *sdn, &got, NULL) &&
             got >= sizeof *sdn;
    GET_LENGTH_INFORMATION li;
    if (ok && size && DeviceIoControl(h, IOCTL_DISK_GET_LENGTH_INFO, NULL, 0, &li, sizeof li, &got, NULL) &&
        li.Length.QuadPart > 0)
        *size = (uint64_t)li.Length.QuadPart;
    CloseHandle(h);
    return ok;
}

/* The volume name ("\\?\Volume{GUID}\") of the volume holding `path`. */
static int own_volume_name(const char *path, wchar_t name[VOLUME_NAME_LEN])
{
    wchar_t *root;
    int e = volume_root_of(path, &root);
    if (e)
        return e;
    if (!GetVolumeNameForVolumeMountPointW(bf_w_plain_root(root), name, VOLUME_NAME_LEN) &&
        !GetVolumeNameForVolumeMountPointW(root, name, VOLUME_NAME_LEN))
        e = bf_w_last_errno();
    free(root);
    return e;
}

/* The first drive letter root ("E:\") of a volume, into letter[4]; 1 if any. */
static int drive_letter_of(const wchar_t *volname, wchar_t letter[4])
{
    DWORD cap = 512, need = 0;
    wchar_t *names = NULL;
    for (int tries = 0; tries < 3; tries++) {
        free(names);
        if (!(names = bf_malloc(cap * sizeof *names)))
            return 0;
        if (GetVolumePathNamesForVolumeNameW(volname, names, cap, &need))
            break;
        if (GetLastError() != ERROR_MORE_DATA || need <= cap) {
            free(names);
            return 0;
        }
        cap = need;
    }
    int found = 0;
    for (const wchar_t *p = names; *p && !found; p += wcslen(p) + 1)
        if (((p[0] >= L'A' && p[0] <= L'Z') || (p[0] >= L'a' && p[0] <= L'z')) && p[1] == L':' && p[2] == L'\\' &&
            !p[3]) {
            memcpy(letter, p, 4 * sizeof *letter);
            found = 1;
        }
    free(names);
    return found;
}

/* Describe one sibling volume (root, name, size) into *s.  0 or ENOMEM. */
static int describe_sibling(const wchar_t *volname, uint64_t size, bf_io_sibling *s)
{
    wchar_t letter[4], label[MAX_PATH + 1] = L"";
    int has_letter = drive_letter_of(volname, letter);
    const wchar_t *root = has_letter ? letter : volname;
    /* a volume without a letter is told apart by its label ("System
       Reserved"); a letter says enough (and Wine complains on stderr when
       asked the label of its Z: drive) */
    if (!has_letter && !GetVolumeInformationW(root, label, MAX_PATH + 1, NULL, NULL, NULL, NULL, 0))
        label[0] = 0;
    ULARGE_INTEGER total;
    if (!size && GetDiskFreeSpaceExW(root, NULL, &total, NULL))
        size = total.QuadPart;
    s->size = size;
    s->root = bf_w_to_utf8(root);
    if (has_letter)
        letter[2] = 0; /* "E:" for messages */
    char *shown = bf_w_to_utf8(has_letter ? letter : volname);
    char *lab = label[0] ? bf_w_to_utf8(label) : NULL;
    if (shown && lab) {
        size_t n = strlen(shown) + strlen(lab) + 4;
        if ((s->name = bf_malloc(n)) != NULL)
            snprintf(s->name, n, "%s (%s)", shown, lab);
    } else if (shown && !label[0]) {
        s->name = shown;
        shown = NULL;
    }
    free(shown);
    free(lab);
    return s->root && s->name ? 0 : ENOMEM;
}

/* Add a sibling at the end of *list. */
static int add_sibling(bf_io_sibling **list, size_t *n, size_t *cap, const wchar_t *volname, uint64_t size)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        bf_io_sibling *nl = bf_realloc(*list, ncap * sizeof *nl);
        if (!nl)
            return ENOMEM;
        *list = nl;
        *cap = ncap;
    }
    bf_io_sibling *s = &(*list)[*n];
    memset(s, 0, sizeof *s);
    int e = describe_sibling(volname, size, s);
    if (e) {
        free(s->root);
        free(s->name);
        return e;
    }
    (*n)++;
    return 0;
}

int bf_io_disk_siblings(const char *path, char **disk, bf_io_sibling **out, size_t *n)
{
    *disk = NULL;
    *out = NULL;
    *n = 0;
    wchar_t own[VOLUME_NAME_LEN], vol[VOLUME_NAME_LEN];
    STORAGE_DEVICE_NUMBER mine, other;
    bf_io_info info;
    int e = bf_io_info_of(path, 1, &info);
    if (e)
        return e; /* the path itself is not there */
    if (own_volume_name(path, own) != 0 || !device_number_of(own, &mine, NULL))
        return 0; /* a network share, a virtual drive...: no disk to look at */
    char name[32];
    snprintf(name, sizeof name, "PhysicalDrive%lu", (unsigned long)mine.DeviceNumber);
    if (!(*disk = bf_strdup(name)))
        return ENOMEM;
    HANDLE fv = FindFirstVolumeW(vol, VOLUME_NAME_LEN);
    if (fv == INVALID_HANDLE_VALUE)
        return 0;
    bf_io_sibling *list = NULL;
    size_t count = 0, cap = 0;
    do {
        uint64_t size = 0;
        if (CompareStringOrdinal(vol, -1, own, -1, TRUE) == CSTR_EQUAL || !device_number_of(vol, &other, &size) ||
            other.DeviceType != mine.DeviceType || other.DeviceNumber != mine.DeviceNumber)
            continue;
        e = add_sibling(&list, &count, &cap, vol, size);
    } while (!e && FindNextVolumeW(fv, vol, VOLUME_NAME_LEN));
    FindVolumeClose(fv);
    if (e) {
        bf_io_siblings_free(list, count);
        free(*disk);
        *disk = NULL;
        return e;
    }
    *out = list;
    *n = count;
    return 0;
}

void bf_io_siblings_free(bf_io_sibling *s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++) {
        free(s[i].root);
        free(s[i].name);
    }
    free(s);
}

/* ---- the running system, file identity ----------------------------------------------- */

char *bf_io_running_windows_dir(void)
{
    UINT need = GetWindowsDirectoryW(NULL, 0);
    if (need == 0)
        return NULL;
    wchar_t *w = bf_malloc((size_t)need * sizeof *w);
    if (!w)
        return NULL;
    UINT got = GetWindowsDirectoryW(w, need);
    char *s = got > 0 && got < need ? bf_w_to_utf8(w) : NULL;
    free(w);
    return s;
}

/* Volume serial number and file index of an existing path; 1 if known. */
static int file_id_of(const char *path, BY_HANDLE_FILE_INFORMATION *bi)
{
    wchar_t *w;
    if (bf_w_path(path, &w) != 0)
        return 0;
    HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                           FILE_FLAG_BACKUP_SEMANTICS, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE)
        return 0;
    int ok = GetFileInformationByHandle(h, bi) != 0;
    CloseHandle(h);
    return ok;
}

int bf_io_same_file(const char *a, const char *b)
{
    BY_HANDLE_FILE_INFORMATION x, y;
    return file_id_of(a, &x) && file_id_of(b, &y) && x.dwVolumeSerialNumber == y.dwVolumeSerialNumber &&
           x.nFileIndexHigh == y.nFileIndexHigh && x.nFileIndexLow == y.nFileIndexLow;
}

/* ---- time, process ---------------------------------------------------------------------- */

void bf_io_clock(int64_t *sec, long *nsec)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft); /* the precise variant is Windows 8+ */
    int64_t ns = bf_w_filetime_ns(ft);
    int64_t s = ns / 1000000000, r = ns % 1000000000;
    if (r < 0) {
        r += 1000000000;
        s--;
    }
    *sec = s;
    *nsec = (long)r;
}

int bf_io_gmtime(int64_t sec, struct tm *out)
{
    time_t t = (time_t)sec;
    if ((int64_t)t != sec)
        return -1;
    return gmtime_s(out, &t) == 0 ? 0 : -1;
}

long bf_io_pid(void) { return (long)GetCurrentProcessId(); }

/* ---- run-time libraries ---------------------------------------------------------------- */

void *bf_io_lib_open(const char *const *names, size_t n)
{
    /* no "cannot find" dialog box for a missing library */
    DWORD old_mode = 0;
    int set = SetThreadErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX, &old_mode);
    HMODULE lib = NULL;
    for (size_t i = 0; i < n && !lib; i++) {
        wchar_t *w;
        if (!names[i] || bf_w_from_utf8(names[i], &w) != 0)
            continue;
        for (wchar_t *p = w; *p; p++)
            if (*p == L'/')
                *p = L'\\';
        lib = LoadLibraryW(w);
        free(w);
    }
    if (set)
        SetThreadErrorMode(old_mode, NULL);
    return (void *)lib;
}

void (*bf_io_lib_sym(void *lib, const char *name))(void)
{
    if (!lib || !name)
        return NULL;
    FARPROC p = GetProcAddress((HMODULE)lib, name);
    void (*f)(void) = NULL;
    memcpy(&f, &p, sizeof f < sizeof p ? sizeof f : sizeof p);
    return f;
}

/* ---- errors ---------------------------------------------------------------------------- */

const char *bf_io_strerror(int e)
{
    switch (e) {
    case EBUSY:
        return "the file is in use by another program (sharing violation): a hive loaded by the running system "
               "cannot be opened; is this the live C: drive?";
    /* the POSIX values msvcrt's strerror does not know */
    case EWOULDBLOCK: return "Resource temporarily unavailable";
    case ENOTSUP: return "Not supported";
    case EOPNOTSUPP: return "Operation not supported";
    case ELOOP: return "Too many levels of symbolic links";
    case EOVERFLOW: return "Value too large for defined data type";
    case ECANCELED: return "Operation canceled";
    case ETIMEDOUT: return "Timed out";
    case EBADMSG: return "Bad message";
    case EPROTO: return "Protocol error";
    default: return strerror(e);
    }
}

/* ---- the console ----------------------------------------------------------------------- */

int bf_io_utf8_args(int *argc, char ***argv)
{
    int n = 0;
    wchar_t **wargv = CommandLineToArgvW(GetCommandLineW(), &n);
    if (!wargv)
        return ENOMEM;
    char **args = bf_calloc((size_t)n + 1, sizeof *args);
    int e = args ? 0 : ENOMEM;
    for (int i = 0; i < n && !e; i++)
        if (!(args[i] = bf_w_to_utf8(wargv[i])))
            e = ENOMEM;
    LocalFree(wargv);
    if (e) {
        for (int i = 0; args && i < n; i++)
            free(args[i]);
        free(args);
        return e;
    }
    *argc = n;
    *argv = args;
    return 0;
}

static int is_console(HANDLE h)
{
    DWORD mode;
    return h && h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
}

void bf_io_console_init(void)
{
    if (is_console(GetStdHandle(STD_OUTPUT_HANDLE)) || is_console(GetStdHandle(STD_ERROR_HANDLE)))
        SetConsoleOutputCP(CP_UTF8);
    fflush(stdout);
    fflush(stderr);
    /* "\n" written as is, and UTF-8 bytes passed through untouched */
    if (_fileno(stdout) >= 0)
        _setmode(_fileno(stdout), _O_BINARY);
    if (_fileno(stderr) >= 0)
        _setmode(_fileno(stderr), _O_BINARY);
}

int bf_io_is_terminal(FILE *f)
{
    int fd = f ? _fileno(f) : -1;
    /* _isatty is also true of NUL and other character devices */
    return fd >= 0 && _isatty(fd) && is_console((HANDLE)_get_osfhandle(fd));
}
