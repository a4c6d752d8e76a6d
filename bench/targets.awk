# bench/targets.awk — the issue's targets, from the raw lines (-v sets="..." -v sizes="16 64 256"
# -v setmax="SET:BYTES ...", the largest hive of each set).
# Informational: `make bench` measures, it does not fail on a missed target.
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function verdict(ok) { return ok ? "met" : "MISSED" }
{
    for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    k = $1 SUBSEP $2 SUBSEP $3
    secs[k] = secs[k] " " ($2 == "lookup" ? f["seconds"] / f["found"] : f["seconds"])
    if (f["rss_kb"] > peak[$1 SUBSEP $3]) peak[$1 SUBSEP $3] = f["rss_kb"]
}
function med(s, w, i) { return median(secs[s SUBSEP w SUBSEP i]) }
END {
    ns = split(sets, S, " ")
    print "targets (medians; x = times faster than the other):"
    for (i = 1; i <= ns; i++) {
        s = S[i]
        v = med(s, "walk", "bootfix-visit"); c = med(s, "walk", "bootfix")
        printf "  %-7s walk     vs hivex   %6.2fx (target 3x: %s)   [per-call API %.2fx]\n", s,
               med(s, "walk", "hivex") / v, verdict(med(s, "walk", "hivex") / v >= 3), med(s, "walk", "hivex") / c
        printf "  %-7s walk     vs libregf %6.2fx (target 10x: %s)  [per-call API %.2fx]\n", s,
               med(s, "walk", "libregf") / v, verdict(med(s, "walk", "libregf") / v >= 10), med(s, "walk", "libregf") / c
        l = med(s, "lookup", "bootfix")
        printf "  %-7s lookups  vs hivex   %6.2fx (target 3x: %s)\n", s,
               med(s, "lookup", "hivex") / l, verdict(med(s, "lookup", "hivex") / l >= 3)
        e = med(s, "edit", "bootfix") / med(s, "edit", "copy")
        split(setmax, SM, " "); size = 0
        for (j in SM) { split(SM[j], q, ":"); if (q[1] == s) size = q[2] }
        pk = 0
        split("bootfix-visit bootfix", BI, " ")
        for (j in BI) if (peak[s SUBSEP BI[j]] > pk) pk = peak[s SUBSEP BI[j]]
        bound = 1.2 * size / 1024 + 16 * 1024
        printf "  %-7s peak RSS of bootfix %.1f MiB, largest hive %.1f MiB (target <= 1.2 x hive + 16 MiB = %.1f: %s)\n",
               s, pk / 1024, size / 1048576, bound / 1024, verdict(pk <= bound)
        printf "  %-7s edit+commit / copy+fsync %5.2f (target <= 1.5: %s)   [hivex_commit, no fsync: %.2fx faster than bootfix]\n",
               s, e, verdict(e <= 1.5), med(s, "edit", "bootfix") / med(s, "edit", "hivex")
    }
    nz = split(sizes, Z, " ")
    if (nz >= 2) {
        lo = "gen" Z[1]; hi = "gen" Z[nz]; grow = Z[nz] / Z[1]
        split("walk:bootfix-visit walk:bootfix lookup:bootfix edit:bootfix edit:copy", W, " ")
        for (j = 1; j in W; j++) {
            split(W[j], p, ":")
            g = med(hi, p[1], p[2]) / med(lo, p[1], p[2]) / grow
            printf "  scaling %-6s %-13s %s->%s MiB: time grew %.2f x the size (target within 10%% of linear: %s)\n",
                   p[1], p[2], Z[1], Z[nz], g, verdict(g <= 1.10 && (p[1] == "lookup" || g >= 0.90))
        }
    }
}
