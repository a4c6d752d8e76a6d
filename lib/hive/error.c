/* Error reporting: every failure carries a code and a message that names the
 * file, the offset or key, and what is wrong. */
#include "internal.h"
#include "io/io.h"

#include <stdio.h>

static int vfail(bf_error *err, int code, int errnum, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        err->sys_errno = errnum;
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        if (errnum && n >= 0 && (size_t)n < sizeof err->msg)
            snprintf(err->msg + n, sizeof err->msg - (size_t)n, ": %s", bf_io_strerror(errnum));
    }
    return code;
}

int bf_fail(bf_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

int bf_fail_sys(bf_error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, BF_ERR_IO, errnum, fmt, ap);
    va_end(ap);
    return BF_ERR_IO;
}

const char *bf_strerror(int code)
{
    switch (code) {
    case BF_OK: return "success";
    case BF_ERR_IO: return "input/output error";
    case BF_ERR_FORMAT: return "not a valid hive";
    case BF_ERR_UNSUPPORTED: return "unsupported hive feature";
    case BF_ERR_NOT_FOUND: return "not found";
    case BF_ERR_EXISTS: return "already exists";
    case BF_ERR_INVALID: return "invalid argument";
    case BF_ERR_NOMEM: return "out of memory";
    case BF_ERR_READONLY: return "hive opened read-only";
    case BF_ERR_DIRTY: return "dirty hive cannot be recovered";
    case BF_ERR_VERIFY: return "verification of the written hive failed";
    case BF_ERR_LIMIT: return "size limit exceeded";
    case BF_ERR_LOCKED: return "locked by another bootfix run";
    default: return "unknown error";
    }
}

const char *bf_reg_type_name(uint32_t type)
{
    static const char *const names[] = {
        "REG_NONE", "REG_SZ", "REG_EXPAND_SZ", "REG_BINARY", "REG_DWORD",
        "REG_DWORD_BIG_ENDIAN", "REG_LINK", "REG_MULTI_SZ", "REG_RESOURCE_LIST",
        "REG_FULL_RESOURCE_DESCRIPTOR", "REG_RESOURCE_REQUIREMENTS_LIST", "REG_QWORD"};
    return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}
