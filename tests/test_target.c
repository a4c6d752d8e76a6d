/*
 * test_target.c — finding a Windows volume's hives and BCD store.
 *
 * Each test builds a sample volume in a temporary directory with names in
 * mixed case (WINDOWS/system32/Config/SYSTEM...), as an NTFS volume mounted
 * on Linux shows them.  Mounts and block devices come from a fake
 * mountinfo file and a fake /sys tree in the same directory: the "mounted
 * partitions" are plain temporary directories named in that mountinfo.
 *
 * Read-only detection is tested through the mountinfo "ro" option, since
 * the temporary directory itself is on a read-write file system (statvfs
 * says rw there).  Permission tests are skipped when running as root,
 * who bypasses them.
 */
#include "common/files.h"
#include "common/runner.h"
#include <check.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootfix/target.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static char base[1024]; /* the temporary directory of one test (real path) */

static char *P(const char *rel) /* base/rel, in a small ring of static buffers */
{
    static char ring[16][PATH_MAX];
    static int k;
    char *b = ring[k++ % 16];
    snprintf(b, PATH_MAX, "%s/%s", base, rel);
    return b;
}

static void mkdirs(const char *rel) { test_mkdirs(base, rel); }

static void put(const char *rel, const void *data, size_t len)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", rel);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        mkdirs(dir);
    }
    test_put_file(P(rel), data, len);
}

static void put_text(const char *rel, const char *text) { put(rel, text, strlen(text)); }

static void setup(void)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char t[PATH_MAX];
    snprintf(t, sizeof t, "%s/bf_target_XXXXXX", tmp);
    ck_assert_ptr_nonnull(mkdtemp(t));
    char *real = realpath(t, NULL);
    ck_assert_ptr_nonnull(real);
    ck_assert_uint_lt(strlen(real), sizeof base - 200);
    strcpy(base, real);
    free(real);
}

static void teardown(void) { test_rm_tree(base); }

/* A valid hive at base/rel; with `system_root`, a SOFTWARE hive whose
 * Microsoft\Windows NT\CurrentVersion SystemRoot is that string. */
static void make_hive(const char *rel, const char *system_root)
{
    bf_hive *h = NULL;
    bf_error e;
    ck_assert_int_eq(bf_hive_new(5, "ROOT", &h, &e), BF_OK);
    if (system_root) {
        bf_node n;
        int created;
        ck_assert_int_eq(bf_node_create_path(h, bf_hive_root(h), "Microsoft\\Windows NT\\CurrentVersion",
                                             &n, &created, &e), BF_OK);
        uint8_t data[128];
        size_t len = 0;
        for (const char *s = system_root; *s && len + 4 <= sizeof data; s++) {
            data[len++] = (uint8_t)*s;
            data[len++] = 0;
        }
        data[len++] = 0;
        data[len++] = 0;
        ck_assert_int_eq(bf_node_set_value(h, n, "SystemRoot", BF_REG_SZ, data, len, &e), BF_OK);
    } else {
        bf_node n;
        ck_assert_int_eq(bf_node_add(h, bf_hive_root(h), "Select", &n, &e), BF_OK);
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", rel);
    *strrchr(dir, '/') = '\0';
    mkdirs(dir);
    bf_commit_opts o = {.out_path = P(rel), .no_libregf = 1};
    ck_assert_msg(bf_hive_commit(h, &o, &e) == BF_OK, "commit %s: %s", rel, e.msg);
    bf_hive_close(h);
}

/* The usual volume: vol/WINDOWS/system32/Config/{SYSTEM,software}. */
static void make_windows(const char *vol, const char *system_root)
{
    char rel[PATH_MAX];
    snprintf(rel, sizeof rel, "%s/WINDOWS/system32/Config/SYSTEM", vol);
    make_hive(rel, NULL);
    if (system_root) {
        snprintf(rel, sizeof rel, "%s/WINDOWS/system32/Config/software", vol);
        make_hive(rel, system_root);
    }
}

/* A mountinfo file at base/mountinfo with these lines (%s = base). */
static void write_mountinfo(const char *const *lines, size_t n)
{
    char buf[8192];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char line[1024];
        snprintf(line, sizeof line, lines[i], base);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\n", line);
    }
    test_put_file(P("mountinfo"), (const uint8_t *)buf, len);
}

static void write_line(const char *rel, const char *text) { put_text(rel, text); }

/* A fake /sys: disk sdc (8:32) with partitions sdc1 (8:33, 100 MiB) and
 * sdc2 (8:34, the target), plus a queue/ folder that is no partition. */
static void make_sysfs(void)
{
    write_line("sys/devices/pci0/block/sdc/dev", "8:32\n");
    write_line("sys/devices/pci0/block/sdc/size", "268435456\n");
    mkdirs("sys/devices/pci0/block/sdc/queue");
    write_line("sys/devices/pci0/block/sdc/queue/rotational", "0\n");
    write_line("sys/devices/pci0/block/sdc/sdc1/partition", "1\n");
    write_line("sys/devices/pci0/block/sdc/sdc1/dev", "8:33\n");
    write_line("sys/devices/pci0/block/sdc/sdc1/size", "204800\n");
    write_line("sys/devices/pci0/block/sdc/sdc2/partition", "2\n");
    write_line("sys/devices/pci0/block/sdc/sdc2/dev", "8:34\n");
    write_line("sys/devices/pci0/block/sdc/sdc2/size", "268000000\n");
    mkdirs("sys/dev/block");
    ck_assert_int_eq(symlink("../../devices/pci0/block/sdc/sdc2", P("sys/dev/block/8:34")), 0);
    ck_assert_int_eq(symlink("../../devices/pci0/block/sdc/sdc1", P("sys/dev/block/8:33")), 0);
    ck_assert_int_eq(symlink("../../devices/pci0/block/sdc", P("sys/dev/block/8:32")), 0);
}

static bf_target_opts fake_opts(void)
{
    bf_target_opts o = {0};
    o.mountinfo_path = P("mountinfo");
    o.sysfs_root = P("sys");
    return o;
}

static const char *ROOT_LINE = "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw";
static const char *VOL_LINE =
    "50 21 8:34 / %s/vol rw,relatime shared:50 - fuseblk /dev/sdc2 rw,user_id=0,allow_other";
static const char *ESP_LINE = "51 21 8:33 / %s/esp rw,relatime shared:51 - vfat /dev/sdc1 rw,fmask=0022";

static bf_target *open_ok(const char *spec, const bf_target_opts *o)
{
    bf_target *t = NULL;
    bf_error e = {0};
    int rc = bf_target_open(spec, o, &t, &e);
    ck_assert_msg(rc == BF_OK, "bf_target_open(%s) = %d: %s", spec, rc, e.msg);
    ck_assert_ptr_nonnull(t);
    return t;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return s && a >= b && !strcmp(s + a - b, suffix);
}

#define ck_ends(s, suf) ck_assert_msg(ends_with((s), (suf)), "\"%s\" does not end with \"%s\"", \
                                      (s) ? (s) : "(null)", (suf))
#define ck_has(s, sub) ck_assert_msg((s) && strstr((s), (sub)), "\"%s\" lacks \"%s\"", \
                                     (s) ? (s) : "(null)", (sub))

/* ---- opening ------------------------------------------------------------------------------------ */

START_TEST(test_open_mixed_case_bios)
{
    make_windows("vol", "D:\\WINNT");
    put_text("vol/boot/bcd", "not parsed here");
    put_text("vol/Boot.ini", "x");
    const char *lines[] = {ROOT_LINE, VOL_LINE};
    write_mountinfo(lines, 2);
    make_sysfs();
    bf_target_opts o = fake_opts();
    /* a spec with a doubled and a trailing slash still yields the real path */
    char spec[PATH_MAX];
    snprintf(spec, sizeof spec, "%s//vol/", base);
    bf_target *t = open_ok(spec, &o);
    ck_assert_str_eq(t->spec, spec);
    ck_assert_str_eq(t->root, P("vol"));
    ck_assert_str_eq(t->windows_dir, P("vol/WINDOWS"));
    ck_assert_str_eq(t->system_path, P("vol/WINDOWS/system32/Config/SYSTEM"));
    ck_assert_str_eq(t->software_path, P("vol/WINDOWS/system32/Config/software"));
    ck_assert_int_eq(t->system_drive, 'D');
    ck_assert_str_eq(t->bcd_path, P("vol/boot/bcd"));
    ck_assert_int_eq(t->bcd_origin, BF_BCD_ON_TARGET);
    ck_assert_int_eq(t->firmware, BF_FW_BIOS);
    ck_assert_ptr_null(t->bcd_hint);
    ck_assert_str_eq(t->device, "/dev/sdc2");
    ck_assert_str_eq(t->disk, "/dev/sdc");
    ck_assert_int_eq(t->hiber_state, BF_HIBER_NO_FILE);
    ck_assert_ptr_null(t->hiberfil_path);
    ck_assert_str_eq(t->hiber_sig, "");
    ck_assert_int_eq(t->readonly, 0);
    ck_assert_int_eq(t->free_known, 1);
    ck_assert(t->total_bytes > 0 && t->free_bytes <= t->total_bytes);
    bf_target_close(t);
}
END_TEST

START_TEST(test_system_drive_default)
{
    make_windows("vol", NULL); /* no SOFTWARE */
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_ptr_null(t->software_path);
    ck_assert_int_eq(t->system_drive, 'C');
    bf_target_close(t);

    /* a SOFTWARE that is not a hive keeps 'C' and is not an error */
    put_text("vol/WINDOWS/system32/Config/SOFTWARE", "garbage, not regf");
    t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->software_path, P("vol/WINDOWS/system32/Config/SOFTWARE"));
    ck_assert_int_eq(t->system_drive, 'C');
    bf_target_close(t);

    /* SystemRoot in lower case */
    unlink(P("vol/WINDOWS/system32/Config/SOFTWARE"));
    make_hive("vol/WINDOWS/system32/Config/SOFTWARE", "e:\\windows");
    t = open_ok(P("vol"), &o);
    ck_assert_int_eq(t->system_drive, 'E');
    bf_target_close(t);
}
END_TEST

START_TEST(test_uefi_on_sibling)
{
    make_windows("vol", NULL);
    put_text("esp/efi/microsoft/BOOT/bcd", "store");
    put_text("esp/efi/Boot/bootx64.efi", "x");
    const char *lines[] = {ROOT_LINE, VOL_LINE, ESP_LINE};
    write_mountinfo(lines, 3);
    make_sysfs();
    bf_target_opts o = fake_opts();
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->bcd_path, P("esp/efi/microsoft/BOOT/bcd"));
    ck_assert_int_eq(t->bcd_origin, BF_BCD_ON_SIBLING);
    ck_assert_int_eq(t->firmware, BF_FW_UEFI);
    ck_assert_ptr_null(t->bcd_hint);
    ck_assert_str_eq(t->device, "/dev/sdc2");
    ck_assert_str_eq(t->disk, "/dev/sdc");
    bf_target_close(t);

    /* a store on the target itself wins over the sibling's */
    put_text("vol/Boot/BCD", "store");
    t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->bcd_path, P("vol/Boot/BCD"));
    ck_assert_int_eq(t->bcd_origin, BF_BCD_ON_TARGET);
    ck_assert_int_eq(t->firmware, BF_FW_BIOS);
    bf_target_close(t);

    /* a UEFI store on the target volume itself */
    test_rm_tree(P("vol/Boot"));
    put_text("vol/EFI/Microsoft/Boot/BCD", "store");
    t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->bcd_path, P("vol/EFI/Microsoft/Boot/BCD"));
    ck_assert_int_eq(t->bcd_origin, BF_BCD_ON_TARGET);
    ck_assert_int_eq(t->firmware, BF_FW_UEFI);
    bf_target_close(t);
}
END_TEST

/* The sibling mounted at a path with a space (mountinfo writes \040), and
 * found by its /dev name when the device number is anonymous (FUSE). */
START_TEST(test_sibling_escaped_mount_point)
{
    make_windows("vol", NULL);
    put_text("sys res/Boot/BCD", "store");
    const char *lines[] = {ROOT_LINE, VOL_LINE,
                           "52 21 0:77 / %s/sys\\040res rw - fuse /dev/sdc1 rw"};
    write_mountinfo(lines, 3);
    make_sysfs();
    bf_target_opts o = fake_opts();
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->bcd_path, P("sys res/Boot/BCD"));
    ck_assert_int_eq(t->bcd_origin, BF_BCD_ON_SIBLING);
    ck_assert_int_eq(t->firmware, BF_FW_BIOS);
    bf_target_close(t);
}
END_TEST

START_TEST(test_store_on_unmounted_sibling)
{
    make_windows("vol", NULL);
    put_text("esp/EFI/Microsoft/Boot/BCD", "store, but esp is not mounted");
    const char *lines[] = {ROOT_LINE, VOL_LINE};
    write_mountinfo(lines, 2);
    make_sysfs();
    bf_target_opts o = fake_opts();
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_ptr_null(t->bcd_path);
    ck_assert_int_eq(t->bcd_origin, BF_BCD_NOT_FOUND);
    ck_assert_int_eq(t->firmware, BF_FW_UNKNOWN);
    ck_has(t->bcd_hint, "/dev/sdc1 (100 MiB) is not mounted");
    ck_has(t->bcd_hint, "EFI system or System Reserved");
    ck_has(t->bcd_hint, "mount /dev/sdc1 /mnt/esp");
    ck_has(t->bcd_hint, "--bcd PATH");
    ck_assert_msg(!strstr(t->bcd_hint, "sdc2 ("), "the target itself is listed: %s", t->bcd_hint);
    ck_assert_msg(!strstr(t->bcd_hint, "queue"), "a non-partition is listed: %s", t->bcd_hint);
    bf_target_close(t);

    /* mounted, but without a store: the hint names what was searched */
    const char *lines2[] = {ROOT_LINE, VOL_LINE, ESP_LINE};
    write_mountinfo(lines2, 3);
    test_rm_tree(P("esp/EFI"));
    t = open_ok(P("vol"), &o);
    ck_assert_ptr_null(t->bcd_path);
    ck_has(t->bcd_hint, "other partitions of /dev/sdc");
    ck_has(t->bcd_hint, P("esp"));
    ck_has(t->bcd_hint, "--bcd PATH");
    bf_target_close(t);
}
END_TEST

START_TEST(test_no_disk_known)
{
    make_windows("vol", NULL);
    /* the mount's device is unknown to sysfs and not a /dev node */
    const char *lines[] = {ROOT_LINE, "50 21 0:99 / %s/vol rw - fuse bootfix-nodev rw"};
    write_mountinfo(lines, 2);
    make_sysfs();
    bf_target_opts o = fake_opts();
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_ptr_null(t->bcd_path);
    ck_assert_ptr_null(t->device);
    ck_assert_ptr_null(t->disk);
    char want[PATH_MAX + 32];
    snprintf(want, sizeof want, "%s/Boot/BCD", P("vol"));
    ck_has(t->bcd_hint, want);
    snprintf(want, sizeof want, "%s/EFI/Microsoft/Boot/BCD", P("vol"));
    ck_has(t->bcd_hint, want);
    ck_has(t->bcd_hint, "--bcd PATH");
    bf_target_close(t);

    /* no mountinfo at all */
    o.mountinfo_path = P("missing");
    t = open_ok(P("vol"), &o);
    ck_assert_ptr_null(t->device);
    ck_has(t->bcd_hint, "--bcd PATH");
    bf_target_close(t);
}
END_TEST

START_TEST(test_bcd_option)
{
    make_windows("vol", NULL);
    put_text("vol/Boot/BCD", "on target");
    put_text("x/EFI/Microsoft/Boot/BCD", "uefi");
    put_text("y/boot/bcd", "bios");
    put_text("z/store.bin", "unknown");
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    static const struct { const char *rel; int fw; } cases[] = {
        {"x/EFI/Microsoft/Boot/BCD", BF_FW_UEFI},
        {"y/boot/bcd", BF_FW_BIOS},
        {"z/store.bin", BF_FW_UNKNOWN}};
    for (size_t i = 0; i < 3; i++) {
        o.bcd_path = P(cases[i].rel);
        bf_target *t = open_ok(P("vol"), &o);
        ck_assert_str_eq(t->bcd_path, P(cases[i].rel));
        ck_assert_int_eq(t->bcd_origin, BF_BCD_FROM_OPTION);
        ck_assert_msg(t->firmware == cases[i].fw, "%s: firmware %s", cases[i].rel,
                      bf_firmware_name(t->firmware));
        ck_assert_ptr_null(t->bcd_hint);
        bf_target_close(t);
    }
    o.bcd_path = P("nothere/BCD");
    bf_target *t = NULL;
    bf_error e;
    ck_assert_int_eq(bf_target_open(P("vol"), &o, &t, &e), BF_ERR_NOT_FOUND);
    ck_assert_ptr_null(t);
    ck_has(e.msg, "--bcd");
    ck_has(e.msg, "nothere/BCD");
}
END_TEST

START_TEST(test_system_option)
{
    /* no Windows folder; the hive given with --system */
    make_hive("elsewhere/SYS", NULL);
    mkdirs("vol");
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none"),
                        .system_path = P("elsewhere/SYS")};
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->system_path, P("elsewhere/SYS"));
    ck_assert_ptr_null(t->windows_dir);
    ck_assert_ptr_null(t->software_path);
    bf_target_close(t);

    /* --system wins over the one on the volume; --software is taken as given */
    make_windows("vol", "C:\\Windows");
    make_hive("elsewhere/SOFT", "F:\\Windows");
    o.software_path = P("elsewhere/SOFT");
    t = open_ok(P("vol"), &o);
    ck_assert_str_eq(t->system_path, P("elsewhere/SYS"));
    ck_assert_str_eq(t->software_path, P("elsewhere/SOFT"));
    ck_assert_int_eq(t->system_drive, 'F');
    ck_assert_str_eq(t->windows_dir, P("vol/WINDOWS"));
    bf_target_close(t);

    bf_error e;
    o.system_path = P("elsewhere/NOPE");
    ck_assert_int_eq(bf_target_open(P("vol"), &o, &t, &e), BF_ERR_NOT_FOUND);
    ck_has(e.msg, "--system");
    ck_has(e.msg, "NOPE");
}
END_TEST

START_TEST(test_not_windows)
{
    mkdirs("vol/Windows/System32"); /* no config\SYSTEM */
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    bf_target *t = NULL;
    bf_error e;
    ck_assert_int_eq(bf_target_open(P("vol"), &o, &t, &e), BF_ERR_NOT_FOUND);
    ck_assert_ptr_null(t);
    ck_has(e.msg, "no Windows installation on");
    ck_has(e.msg, P("vol"));
    ck_has(e.msg, "Windows\\System32\\config\\SYSTEM");
    ck_has(e.msg, "--system PATH");

    /* SYSTEM must be a file, not a folder */
    mkdirs("vol/Windows/System32/config/system");
    ck_assert_int_eq(bf_target_open(P("vol"), &o, &t, &e), BF_ERR_NOT_FOUND);
}
END_TEST

START_TEST(test_bad_spec)
{
    bf_target *t = NULL;
    bf_error e;
    ck_assert_int_eq(bf_target_open(P("missing"), NULL, &t, &e), BF_ERR_NOT_FOUND);
    ck_has(e.msg, P("missing"));
    put_text("file", "x");
    ck_assert_int_eq(bf_target_open(P("file"), NULL, &t, &e), BF_ERR_NOT_FOUND);
    ck_has(e.msg, "not a directory");
    ck_assert_ptr_null(t);
    static const char *const letters[] = {"F:", "f:\\", "F:/"};
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(bf_target_open(letters[i], NULL, &t, &e), BF_ERR_INVALID);
        ck_has(e.msg, "/mnt/f");
        ck_has(e.msg, "drive letter");
        ck_has(e.msg, "Windows build");
    }
    ck_assert_int_eq(bf_target_open(NULL, NULL, &t, &e), BF_ERR_INVALID);
}
END_TEST

/* ---- hibernation ------------------------------------------------------------------------------- */

static bf_target *open_with_hiberfil(const char *name, const void *data, size_t len)
{
    char rel[256];
    snprintf(rel, sizeof rel, "vol/%s", name);
    unlink(P("vol/hiberfil.sys"));
    unlink(P("vol/HIBERFIL.SYS"));
    if (data)
        put(rel, data, len);
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    return open_ok(P("vol"), &o);
}

START_TEST(test_hibernation)
{
    make_windows("vol", NULL);
    static const struct {
        const char *name, *data;
        size_t len;
        int state;
        const char *sig;
    } cases[] = {
        {"hiberfil.sys", "HIBR\0\0\0\0", 8, BF_HIBER_IMAGE, "HIBR"},
        {"HIBERFIL.SYS", "wake\x01\x02", 6, BF_HIBER_IMAGE, "wake"},
        {"hiberfil.sys", "RSTRxxxx", 8, BF_HIBER_IMAGE, "RSTR"},
        {"hiberfil.sys", "\0\0\0\0\0\0\0\0", 8, BF_HIBER_CLEAN, ""},
        {"hiberfil.sys", "HI", 2, BF_HIBER_CLEAN, ""},
        {"hiberfil.sys", "", 0, BF_HIBER_CLEAN, ""},
        {"hiberfil.sys", "\x01" "abc", 4, BF_HIBER_CLEAN, ".abc"},
        {"hiberfil.sys", "HIBr", 4, BF_HIBER_CLEAN, "HIBr"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bf_target *t = open_with_hiberfil(cases[i].name, cases[i].data, cases[i].len);
        ck_assert_msg(t->hiber_state == cases[i].state, "case %zu: state %d (%s)", i,
                      t->hiber_state, bf_hiber_state_name(t->hiber_state));
        ck_assert_str_eq(t->hiber_sig, cases[i].sig);
        ck_assert_ptr_nonnull(t->hiberfil_path);
        ck_ends(t->hiberfil_path, cases[i].name);
        bf_target_close(t);
    }
    bf_target *t = open_with_hiberfil("hiberfil.sys", NULL, 0);
    ck_assert_int_eq(t->hiber_state, BF_HIBER_NO_FILE);
    ck_assert_ptr_null(t->hiberfil_path);
    bf_target_close(t);

    ck_assert_str_eq(bf_hiber_state_name(BF_HIBER_NO_FILE), "no hiberfil.sys");
    ck_assert_str_eq(bf_hiber_state_name(BF_HIBER_CLEAN), "hiberfil.sys holds no image");
    ck_has(bf_hiber_state_name(BF_HIBER_IMAGE), "Fast Startup");
    ck_assert_str_eq(bf_firmware_name(BF_FW_BIOS), "BIOS");
    ck_assert_str_eq(bf_firmware_name(BF_FW_UEFI), "UEFI");
    ck_assert_str_eq(bf_firmware_name(BF_FW_UNKNOWN), "unknown");

    if (geteuid() == 0) {
        printf("SKIPPED: unreadable hiberfil.sys (running as root, who reads anyway)\n");
        return;
    }
    t = open_with_hiberfil("hiberfil.sys", "HIBR", 4);
    bf_target_close(t);
    chmod(P("vol/hiberfil.sys"), 0);
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    t = open_ok(P("vol"), &o);
    ck_assert_int_eq(t->hiber_state, BF_HIBER_UNREADABLE);
    bf_target_close(t);
}
END_TEST

/* ---- bf_path_find_ci ------------------------------------------------------------------------------ */

static int find(const char *rel, char **out, bf_error *e) { return bf_path_find_ci(P("v"), rel, out, e); }

static void expect_found(const char *rel, const char *want_rel)
{
    char *out = NULL;
    bf_error e = {0};
    int rc = find(rel, &out, &e);
    ck_assert_msg(rc == BF_OK, "find %s: %d %s", rel, rc, e.msg);
    ck_assert_str_eq(out, P(want_rel));
    free(out);
}

static void expect_refused(const char *rel, int code, const char *msg_part)
{
    char *out = (char *)"sentinel";
    bf_error e = {0};
    ck_assert_msg(find(rel, &out, &e) == code, "find %s: expected %d, got %d (%s)", rel, code,
                  e.code, e.msg);
    ck_assert_ptr_null(out);
    ck_has(e.msg, msg_part);
}

START_TEST(test_find_ci)
{
    put_text("v/WINDOWS/system32/Config/SYSTEM", "x");
    put_text("v/Dup/Foo", "mixed");
    put_text("v/Dup/FOO", "upper");
    put_text("v/Dup/fOO", "other");
    put_text("v/\xc3\x84rger/\xce\xa3igma", "umlaut and sigma"); /* Ärger/Σigma */
    put_text("v/stra\xc3\x9f" "e", "sharp s");                   /* straße */

    expect_found("Windows\\System32\\config\\SYSTEM", "v/WINDOWS/system32/Config/SYSTEM");
    expect_found("windows/SYSTEM32/CONFIG/system", "v/WINDOWS/system32/Config/SYSTEM");
    expect_found("Windows\\\\System32//config\\/SYSTEM\\", "v/WINDOWS/system32/Config/SYSTEM");
    expect_found("windows", "v/WINDOWS");
    expect_found("", "v");
    /* several match: the exact spelling, else the first in byte order */
    expect_found("Dup/Foo", "v/Dup/Foo");
    expect_found("Dup/fOO", "v/Dup/fOO");
    expect_found("Dup/foo", "v/Dup/FOO");
    /* non-ASCII folded with Windows' table */
    expect_found("\xc3\xa4RGER/\xcf\x83IGMA", "v/\xc3\x84rger/\xce\xa3igma"); /* äRGER/σIGMA */
    expect_found("STRA\xc3\x9f" "E", "v/stra\xc3\x9f" "e");
    expect_refused("STRASSE", BF_ERR_NOT_FOUND, "STRASSE"); /* ß is not SS for NTFS */

    expect_refused("Windows/System32/nothere/SYSTEM", BF_ERR_NOT_FOUND, "\"nothere\"");
    expect_refused("Windows/System32/config/SYSTEM/more", BF_ERR_NOT_FOUND, "not a directory");
    expect_refused("Windows/../..", BF_ERR_INVALID, "\"..\"");
    expect_refused("..\\x", BF_ERR_INVALID, "\"..\"");
    expect_refused("Windows/./System32", BF_ERR_INVALID, "\".\"");
    expect_refused("/etc/passwd", BF_ERR_INVALID, "absolute");
    expect_refused("\\Windows", BF_ERR_INVALID, "absolute");
    expect_refused("C:\\Windows", BF_ERR_INVALID, "drive letter");
    expect_refused("c:Windows", BF_ERR_INVALID, "drive letter");
    /* "..." is an ordinary name */
    put_text("v/.../x", "dots");
    expect_found(".../X", "v/.../x");
}
END_TEST

/* ---- bf_target_resolve ---------------------------------------------------------------------------- */

static bf_target *resolve_target(const char *system_root)
{
    make_windows("vol", system_root);
    put_text("vol/WINDOWS/memory.dmp", "dump");
    put_text("vol/WINDOWS/Minidump/010124-1.dmp", "mini");
    put_text("vol/PageFile.sys", "pf");
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    return open_ok(P("vol"), &o);
}

static void expect_resolved(const bf_target *t, const char *winpath, const char *want_rel)
{
    char *out = NULL;
    bf_error e = {0};
    int rc = bf_target_resolve(t, winpath, &out, &e);
    ck_assert_msg(rc == BF_OK, "resolve %s: %d %s", winpath, rc, e.msg);
    ck_assert_str_eq(out, P(want_rel));
    free(out);
}

static void expect_unresolved(const bf_target *t, const char *winpath, int code,
                              const char *msg_part)
{
    char *out = NULL;
    bf_error e = {0};
    int rc = bf_target_resolve(t, winpath, &out, &e);
    ck_assert_msg(rc == code, "resolve %s: expected %d, got %d (%s)", winpath, code, rc, e.msg);
    ck_assert_ptr_null(out);
    ck_has(e.msg, msg_part);
}

START_TEST(test_resolve)
{
    bf_target *t = resolve_target(NULL);
    ck_assert_int_eq(t->system_drive, 'C');
    expect_resolved(t, "%SystemRoot%\\MEMORY.DMP", "vol/WINDOWS/memory.dmp");
    expect_resolved(t, "%systemroot%\\Minidump", "vol/WINDOWS/Minidump");
    expect_resolved(t, "%WINDIR%\\minidump\\010124-1.DMP", "vol/WINDOWS/Minidump/010124-1.dmp");
    expect_resolved(t, "%SystemRoot%", "vol/WINDOWS");
    expect_resolved(t, "%SystemDrive%\\pagefile.sys", "vol/PageFile.sys");
    expect_resolved(t, "C:\\pagefile.sys", "vol/PageFile.sys");
    expect_resolved(t, "c:/PAGEFILE.SYS", "vol/PageFile.sys");
    expect_resolved(t, "\\??\\C:\\pagefile.sys", "vol/PageFile.sys");
    expect_resolved(t, "\\\\?\\C:\\pagefile.sys", "vol/PageFile.sys");
    expect_resolved(t, "\\SystemRoot\\Minidump\\010124-1.dmp", "vol/WINDOWS/Minidump/010124-1.dmp");
    expect_resolved(t, "Minidump\\010124-1.dmp", "vol/WINDOWS/Minidump/010124-1.dmp");
    expect_resolved(t, "\\Windows\\memory.dmp", "vol/WINDOWS/memory.dmp");
    expect_resolved(t, "C:\\", "vol");

    expect_unresolved(t, "D:\\pagefile.sys", BF_ERR_UNSUPPORTED, "on drive D:");
    expect_unresolved(t, "\\??\\d:\\pagefile.sys", BF_ERR_UNSUPPORTED, "system drive C:");
    expect_unresolved(t, "D:\\pagefile.sys", BF_ERR_UNSUPPORTED, "Azure");
    expect_unresolved(t, "%SystemRoot%\\nothere.dmp", BF_ERR_NOT_FOUND, "nothere.dmp");
    expect_unresolved(t, "C:\\Windows\\..\\..\\etc", BF_ERR_INVALID, "\"..\"");
    expect_unresolved(t, "%SystemRoot%\\..\\x", BF_ERR_INVALID, "\"..\"");
    expect_unresolved(t, "%TEMP%\\x.dmp", BF_ERR_UNSUPPORTED, "%TEMP%");
    expect_unresolved(t, "%SystemRoot", BF_ERR_INVALID, "unterminated");
    expect_unresolved(t, "\\\\server\\share\\x", BF_ERR_UNSUPPORTED, "network");
    expect_unresolved(t, "", BF_ERR_INVALID, "empty");
    bf_target_close(t);

    /* Windows ran from D: */
    test_rm_tree(P("vol"));
    t = resolve_target("D:\\WINNT");
    ck_assert_int_eq(t->system_drive, 'D');
    expect_resolved(t, "d:\\pagefile.sys", "vol/PageFile.sys");
    expect_unresolved(t, "C:\\pagefile.sys", BF_ERR_UNSUPPORTED, "system drive D:");
    bf_target_close(t);
}
END_TEST

/* ---- writability ----------------------------------------------------------------------------------- */

START_TEST(test_readonly_mount)
{
    make_windows("vol", NULL);
    /* statvfs says rw for the temporary directory: the "ro" comes from mountinfo */
    const char *lines[] = {ROOT_LINE,
                           "50 21 8:34 / %s/vol ro,relatime shared:50 - fuseblk /dev/sdc2 ro"};
    write_mountinfo(lines, 2);
    make_sysfs();
    bf_target_opts o = fake_opts();
    bf_target *t = open_ok(P("vol"), &o);
    ck_assert_int_eq(t->readonly, 1);
    const char *files[] = {t->system_path};
    bf_error e;
    ck_assert_int_eq(bf_target_check_writable(t, files, 1, NULL, 0, &e), BF_ERR_READONLY);
    ck_has(e.msg, P("vol"));
    ck_has(e.msg, "read-only");
    ck_has(e.msg, "mount -o remount,rw");
    bf_target_close(t);

    /* "ro" only in the superblock options counts too */
    const char *lines2[] = {ROOT_LINE, "50 21 8:34 / %s/vol rw - fuseblk /dev/sdc2 ro,allow_other"};
    write_mountinfo(lines2, 2);
    t = open_ok(P("vol"), &o);
    ck_assert_int_eq(t->readonly, 1);
    bf_target_close(t);

    /* rw: the same check passes, with a backup folder to create */
    const char *lines3[] = {ROOT_LINE, VOL_LINE};
    write_mountinfo(lines3, 2);
    t = open_ok(P("vol"), &o);
    ck_assert_int_eq(t->readonly, 0);
    const char *dirs[] = {P("vol/bootfix-backup/20240101T000000Z-x/deeper")};
    files[0] = t->system_path;
    e.msg[0] = '\0';
    ck_assert_msg(bf_target_check_writable(t, files, 1, dirs, 1, &e) == BF_OK, "%s", e.msg);
    /* a backup "folder" whose nearest existing ancestor is a file */
    const char *bad[] = {P("vol/WINDOWS/system32/Config/SYSTEM/sub")};
    ck_assert_int_eq(bf_target_check_writable(t, NULL, 0, bad, 1, &e), BF_ERR_READONLY);
    ck_has(e.msg, "not a folder");
    bf_target_close(t);
}
END_TEST

START_TEST(test_unwritable_folder)
{
    if (geteuid() == 0) {
        printf("SKIPPED: folder without write permission (running as root, who bypasses "
               "permissions)\n");
        return;
    }
    make_windows("vol", NULL);
    bf_target_opts o = {.mountinfo_path = P("none"), .sysfs_root = P("none")};
    bf_target *t = open_ok(P("vol"), &o);
    const char *files[] = {t->system_path};
    const char *dirs[] = {P("vol/bootfix-backup/run1")};
    bf_error e;
    ck_assert_int_eq(bf_target_check_writable(t, files, 1, dirs, 1, &e), BF_OK);

    ck_assert_int_eq(chmod(P("vol/WINDOWS/system32/Config"), 0555), 0);
    ck_assert_int_eq(bf_target_check_writable(t, files, 1, NULL, 0, &e), BF_ERR_READONLY);
    ck_has(e.msg, t->system_path);
    ck_has(e.msg, "not writable");
    ck_assert_int_eq(chmod(P("vol/WINDOWS/system32/Config"), 0755), 0);

    /* the backup folder: its nearest existing parent (vol) is read-only */
    ck_assert_int_eq(chmod(P("vol"), 0555), 0);
    ck_assert_int_eq(bf_target_check_writable(t, files, 1, dirs, 1, &e), BF_ERR_READONLY);
    ck_has(e.msg, "bootfix-backup/run1");
    ck_has(e.msg, P("vol"));
    ck_assert_int_eq(chmod(P("vol"), 0755), 0);
    bf_target_close(t);
}
END_TEST

static Suite *target_suite(void)
{
    Suite *s = suite_create("target");
    TCase *tc = tcase_create("target");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_open_mixed_case_bios);
    tcase_add_test(tc, test_system_drive_default);
    tcase_add_test(tc, test_uefi_on_sibling);
    tcase_add_test(tc, test_sibling_escaped_mount_point);
    tcase_add_test(tc, test_store_on_unmounted_sibling);
    tcase_add_test(tc, test_no_disk_known);
    tcase_add_test(tc, test_bcd_option);
    tcase_add_test(tc, test_system_option);
    tcase_add_test(tc, test_not_windows);
    tcase_add_test(tc, test_bad_spec);
    tcase_add_test(tc, test_hibernation);
    tcase_add_test(tc, test_find_ci);
    tcase_add_test(tc, test_resolve);
    tcase_add_test(tc, test_readonly_mount);
    tcase_add_test(tc, test_unwritable_folder);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return test_run_suite(target_suite()); }
