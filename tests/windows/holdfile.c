/* tests/windows/holdfile.c — a test helper for the Windows build, run under
 * Wine by tests/windows/test_windows.sh:
 *
 *   holdfile.exe FILE READY STOP SECONDS
 *
 * Opens FILE for reading and writing with share mode 0 (as the kernel holds a
 * loaded hive), creates the file READY to say it holds FILE, then keeps FILE
 * open until the file STOP exists or SECONDS have passed.  Any other open of
 * FILE meanwhile fails with ERROR_SHARING_VIOLATION.  Exit status 0 when FILE
 * was held, 1 when it could not be opened or READY not created, 2 on usage. */

#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

/* exists: whether PATH names an existing file or directory */
static int exists(const wchar_t *path)
{
    return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES;
}

/* open_exclusive: FILE opened for read and write, shared with nobody */
static HANDLE open_exclusive(const wchar_t *path)
{
    return CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL, NULL);
}

/* create_marker: an empty file PATH; 0 on success */
static int create_marker(const wchar_t *path)
{
    HANDLE h = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);

    if (h == INVALID_HANDLE_VALUE)
        return -1;
    CloseHandle(h);
    return 0;
}

/* wait_for_stop: sleep until STOP exists or SECONDS have passed */
static void wait_for_stop(const wchar_t *stop, unsigned long seconds)
{
    ULONGLONG end = GetTickCount64() + (ULONGLONG)seconds * 1000u;

    while (!exists(stop) && GetTickCount64() < end)
        Sleep(50);
}

int main(void)
{
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    HANDLE h;
    unsigned long seconds;

    if (argv == NULL || argc != 5) {
        fprintf(stderr, "usage: holdfile.exe FILE READY STOP SECONDS\n");
        return 2;
    }
    seconds = wcstoul(argv[4], NULL, 10);
    h = open_exclusive(argv[1]);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "holdfile: cannot open %ls (error %lu)\n", argv[1], GetLastError());
        return 1;
    }
    if (create_marker(argv[2]) != 0) {
        fprintf(stderr, "holdfile: cannot create %ls (error %lu)\n", argv[2], GetLastError());
        CloseHandle(h);
        return 1;
    }
    wait_for_stop(argv[3], seconds);
    CloseHandle(h);
    LocalFree(argv);
    return 0;
}
