# bench/table.awk — rows of the results table for one set (-v s=SET -v mb=BYTES)
# from the raw lines "SET WORKLOAD IMPL seconds=.. rss_kb=.. ...".
# The bootfix reference of a workload is its fastest bootfix implementation;
# bootfix/other is its median time over the other's (below 1: bootfix is faster).
# Lookup rows show the time per lookup.
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == s {
    w = $2; impl = $3
    for (i = 4; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    rss = (w == "run") ? f["found"] : f["rss_kb"]
    if (w == "run") impl = "bootfix (process)"
    k = w SUBSEP impl
    if (!(k in secs)) { order[++n] = k }
    # lookups: time per lookup (the implementations may look up different numbers)
    secs[k] = secs[k] " " (w == "lookup" ? f["seconds"] / f["found"] : f["seconds"])
    mem[k] = mem[k] " " rss
}
END {
    for (i = 1; i <= n; i++) { split(order[i], p, SUBSEP); m = median(secs[order[i]])
        if (p[2] ~ /^bootfix/ && (!(p[1] in best) || m < best[p[1]])) best[p[1]] = m }
    for (i = 1; i <= n; i++) {
        split(order[i], p, SUBSEP); m = median(secs[order[i]])
        printf "%-9s %-9s %-16s %9s  %13.3f  %12.1f  %s\n", s, p[1], p[2],
               (p[1] == "lookup" ? sprintf("%.2fus", m * 1e6) : sprintf("%.4f", m)), best[p[1]] / m,
               median(mem[order[i]]) / 1024, (mb > 0 ? sprintf("(%.1f)", mb / 1048576) : "")
    }
}
