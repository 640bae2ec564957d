# Figure 7 (not in the paper): ours against the paper for every number of the paper's Table 1 and Table 2 that has a
# value and a result of ours, one panel per metric the paper tables give (recall@k top row, ndcg@k bottom row).
# x = the paper's value, y = ours: the test-selected P-code mean when P-code has a result, else the P-clean mean
# (as REPORT.md's diff column), bar = its 95 % CI over seeds. Colour = method (Table 2: CIESS exploration
# variant); marker = protocol of ours (open triangle test-selected, filled circle P-clean, as in Figures 4-6).
# The solid line is y = x and the grey band ±5 % of the paper's value, REPORT.md's tolerance: a point in the band,
# or whose bar crosses the line, is a reproduced number (when test-selected). Each panel title counts the
# reproduced verdicts.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-7.csv'; out='….png|svg'" figures/figure-7.gp
W = 1400; H = 1150
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"

TOLERANCE = 0.05
ORDER_K = "5 10 20"
ORDER_F = "recall ndcg"
TITLE = "Figure 7: ours against the paper, every Table 1 and Table 2 number (TEST; test-selected where run, else P-clean)"

# Panels: the metrics with a point, recall@k over ndcg@k, k ascending.
PRESENT = distinct("metric", "", "ours")
KS = ""; FAMS = ""
do for [k = 1:words(ORDER_K)] {
    kk = word(ORDER_K, k)
    if (has(PRESENT, "recall@" . kk) || has(PRESENT, "ndcg@" . kk)) { KS = KS . " " . kk }
}
do for [f = 1:words(ORDER_F)] {
    ff = word(ORDER_F, f)
    do for [k = 1:words(KS)] { if (has(PRESENT, ff . "@" . word(KS, k)) && !has(FAMS, ff)) { FAMS = FAMS . " " . ff } }
}
NK = words(KS); NF = words(FAMS)

# Series: methods (Table 1) and CIESS variants (Table 2, "ciess/<variant>"), the same colour in every panel (and,
# for the methods, in Figure 6).
SERIES = ordered(distinct("series", "", "ours"), SERIES_ORDER)
NS = words(SERIES)
stitle(s) = (strstrt(s, "/") > 0) ? s[strstrt(s, "/") + 1:] . " (Table 2, CIESS)" : s . " (Table 1)"
# Legend: the colours, then the protocol markers, the line and the band.
ONCE = "for [li = 1:(LEGEND_DONE ? 0 : 1)] keyentry"
LEGEND = "for [li = 1:(LEGEND_DONE ? 0 : NS)] keyentry with lines lc rgb color(series_color(word(SERIES, li))) lw 8 title stitle(word(SERIES, li)), " \
       . ONCE . " with points lc rgb '#222222' pt ppoint('code') ps 1.2 title 'ours test-selected (P-code)', " \
       . ONCE . " with points lc rgb '#222222' pt ppoint('clean') ps 1.2 title 'ours P-clean (no P-code result)', " \
       . ONCE . " with lines lc rgb '#555555' lw 1.5 title 'y = x (ours = paper)', " \
       . ONCE . sprintf(" with boxes fc rgb '#d6d6d6' fs solid 1.0 noborder title '±%d %% of the paper''s value'", int(100 * TOLERANCE))
sel(m) = (strcol("metric") eq m)
# The lowest positive value a point shows: the paper's (always > 0), ours, the bottom of our bar.
row_low(p, o, h) = min(p, min((o > 0) ? o : p, (o - h > 0) ? o - h : p))
# Log-axis ticks at m × 10^e inside [lo, hi], m in 1 2 5 (1 2 3 5, or every digit, when the range spans less).
log_marks(lo, hi) = (hi / lo >= 30) ? "1 2 5" : (hi / lo >= 4) ? "1 2 3 5" : "1 2 3 4 5 6 7 8 9"
set key at screen 0.785, 0.89

if (NK * NF == 0) {
    set multiplot layout 1, 1 title TITLE margins 0.07, 0.76, 0.08, 0.88
    PANEL_TITLE = "figure-7.csv has no points (no Table 1 or Table 2 cell with a paper value has a result)"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout NF, NK title TITLE margins 0.065, 0.77, 0.06, 0.9 spacing 0.08, 0.09
    set size ratio -1
    set samples 200
    do for [f = 1:NF] {
        do for [k = 1:NK] {
            metric = word(FAMS, f) . "@" . word(KS, k)
            if (!has(PRESENT, metric)) {
                PANEL_TITLE = metric
                load here . "/no-data-panel.gp"
            } else {
                # Log-log axes: y = x stays the diagonal and the ±5 % band has one width everywhere, so an ML-1M
                # number (≈ 0.4) and a Yelp2018 number (≈ 0.02) are judged alike. One range for both axes (square
                # panel), over the paper values and our bars (positive values only; a bar or a value ≤ 0 is drawn
                # down to the bottom edge). stats only sees points inside the current ranges, so the previous
                # panel's ranges and log scale are released first.
                unset logscale
                set autoscale
                stats in using (sel(metric) ? row_low(column("paper"), num("ours"), ci("ours_ci95")) : NaN) name "L" nooutput
                stats in using (sel(metric) ? max(column("paper"), num("ours") + ci("ours_ci95")) : NaN) name "H" nooutput
                stats in using (sel(metric) ? ((strcol("verdict") eq "reproduced") ? 1 : 0) : NaN) name "V" nooutput
                LO = L_min / 1.15
                HI = H_max * 1.15
                set logscale xy
                set xrange [LO:HI]
                set yrange [LO:HI]
                TICKS = ""
                do for [e = int(floor(log10(LO))):int(ceil(log10(HI)))] {
                    do for [mi = 1:words(log_marks(LO, HI))] {
                        v = (word(log_marks(LO, HI), mi) + 0) * 10.0**e
                        if (v >= LO && v <= HI) { TICKS = TICKS . sprintf('%s"%s" %.12g', (TICKS eq "" ? "" : ", "), gprintf("%g", v), v) }
                    }
                }
                eval "set xtics (" . TICKS . ")"
                eval "set ytics (" . TICKS . ")"
                set mxtics default
                set mytics default
                set title sprintf("%s: %d of %d points reproduced", metric, int(V_sum), int(V_records))
                set xlabel "paper"
                set ylabel "ours"
                plot '+' using 1:((1 - TOLERANCE) * $1):((1 + TOLERANCE) * $1) with filledcurves fc rgb "#d6d6d6" fs solid 1.0 noborder notitle, \
                     (1 - TOLERANCE) * x with lines lc rgb "#9a9a9a" lw 0.6 notitle, (1 + TOLERANCE) * x with lines lc rgb "#9a9a9a" lw 0.6 notitle, \
                     x with lines lc rgb "#555555" lw 1.5 notitle, \
                     for [i = 1:NS] in \
                        using ((sel(metric) && strcol("series") eq word(SERIES, i)) ? column("paper") : NaN) \
                            :(max(num("ours"), LO)):(max(num("ours") - ci("ours_ci95"), LO)):(num("ours") + ci("ours_ci95")) \
                            :(ppoint(strcol("ours_protocol"))) \
                        with yerrorbars lc rgb color(series_color(word(SERIES, i))) pt variable ps 1.2 notitle, \
                     @LEGEND
                LEGEND_DONE = 1
            }
        }
    }
    unset multiplot
}
