# Figure 5: effect of the number of episodes (CIESS, LightGCN): best TEST R@20 and N@20 of the selective
# retraining whose pool is one interval of episodes (paper: 5 × 6 episodes), against the interval index k, one
# curve per target c and protocol, bars = 95 % CI over seeds; one column per dataset. Colour = c (the same in
# every panel); P-clean is the dark shade, solid, filled circles; test-selected P-code the light shade, dashed,
# open triangles. One legend, right of the panels.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-5.csv'; out='….png|svg'" figures/figure-5.gp
W = 1400; H = 800
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"
TICK_MIN = 1e-4

BACKBONE = "lightgcn"
METRICS = "recall@20 ndcg@20"
DATASETS = distinct("dataset", "backbone=" . BACKBONE, "")
ND = words(DATASETS)
TITLE = "Figure 5: LightGCN, best R@20 and N@20 per episode interval per c (TEST, mean ± 95 % CI over seeds)"

# Series: every (c, protocol) with a value anywhere, so a c keeps its colour across panels.
TARGETS = distinct("target_sparsity", "backbone=" . BACKBONE, "recall@20_mean")
PROTOCOLS = distinct("protocol", "backbone=" . BACKBONE, "recall@20_mean")
NT = words(TARGETS); NP = words(PROTOCOLS); NS = NT * NP
stc(i) = word(TARGETS, (i - 1) / max(NP, 1) + 1)
sprot(i) = word(PROTOCOLS, (i - 1) % max(NP, 1) + 1)
scolor(i) = pcolor((i - 1) / max(NP, 1) + 1, sprot(i))
stitle(i) = sprintf("c=%s %s", stc(i), plabel(sprot(i)))
LEGEND = "for [li = 1:(LEGEND_DONE ? 0 : NS)] keyentry with linespoints lc rgb scolor(li) dt pdash(sprot(li)) pt ppoint(sprot(li)) ps 1.0 title stitle(li)"
sel(ds) = (strcol("backbone") eq BACKBONE && strcol("dataset") eq ds)

if (ND == 0) {
    set multiplot layout 1, 1 title TITLE margins 0.07, 0.79, 0.09, 0.88
    PANEL_TITLE = "figure-5.csv has no LightGCN rows"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout 2, ND title TITLE margins 0.07, 0.79, 0.08, 0.88 spacing 0.08, 0.12
    do for [m = 1:2] {
        metric = word(METRICS, m)
        do for [d = 1:ND] {
            ds = word(DATASETS, d)
            if (words(distinct("target_sparsity", "backbone=" . BACKBONE . ";dataset=" . ds, metric . "_mean")) == 0) {
                PANEL_TITLE = ds . " — " . metric
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . metric
                set xlabel "interval k (k-th equal slice of the episodes, 1-based)"
                set ylabel metric
                set autoscale
                set autoscale xfix
                set xtics 1
                set format x "%g"
                stats in using (sel(ds) ? num(metric . "_mean") - ci(metric . "_ci95") : NaN) name "YL" nooutput
                stats in using (sel(ds) ? num(metric . "_mean") + ci(metric . "_ci95") : NaN) name "YH" nooutput
                eval axis_ticks("y", YL_min, YH_max)
                set offsets graph 0.06, graph 0.06, graph 0.05, graph 0.05
                plot for [i = 1:NS] in \
                    using ((sel(ds) && strcol("target_sparsity") eq stc(i) && strcol("protocol") eq sprot(i)) ? column("interval") : NaN) \
                        :(num(metric . "_mean")):(ci(metric . "_ci95")) \
                    with yerrorlines lc rgb scolor(i) dt pdash(sprot(i)) pt ppoint(sprot(i)) ps 1.0 notitle, \
                    @LEGEND
                LEGEND_DONE = 1
                set offsets 0, 0, 0, 0
            }
        }
    }
    unset multiplot
}
