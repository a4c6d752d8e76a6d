/*
 * Marvin32 — the keyed 64-bit hash Windows uses for the Hash-1 / Hash-2
 * fields of new-format (HvLE) transaction log entries.
 *
 * State is two 32-bit words initialised from the 64-bit seed (low dword
 * first).  Each little-endian 32-bit word of input is added to the first
 * word and mixed; the 0..3 trailing bytes are padded with a 0x80 byte and
 * mixed twice.  Result: (second word << 32) | first word.
 * Facts: regf-writer-rules.md §14.2 and regf-spec-suhanov.md "Log entries".
 */
#include "internal.h"

static inline uint32_t rotl32(uint32_t v, unsigned n) { return (v << n) | (v >> (32u - n)); }

static inline void marvin_mix(uint32_t *a, uint32_t *b)
{
    *b ^= *a;
    *a = rotl32(*a, 20);
    *a += *b;
    *b = rotl32(*b, 9);
    *b ^= *a;
    *a = rotl32(*a, 27);
    *a += *b;
    *b = rotl32(*b, 19);
}

uint64_t bf_marvin32(const uint8_t *data, size_t len, uint64_t seed)
{
    uint32_t a = (uint32_t)seed;
    uint32_t b = (uint32_t)(seed >> 32);
    size_t i = 0;

    for (; len - i >= 4; i += 4) {
        a += rd32(data + i);
        marvin_mix(&a, &b);
    }

    /* the remaining bytes, little-endian, followed by a 0x80 byte */
    uint32_t last = 0x80u;
    size_t rest = len - i;
    for (size_t k = rest; k > 0; k--)
        last = (last << 8) | data[i + k - 1];
    a += last;
    marvin_mix(&a, &b);
    marvin_mix(&a, &b);
    return ((uint64_t)b << 32) | a;
}
