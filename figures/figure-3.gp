# Figure 3: CIESS search on LightGCN with Gaussian noise, with and without random walk: the average reward
# (top) and the average action = mean embedding size (bottom) per episode, taken at the episode's last
# iteration (docs/method.md §1.12), mean ± 95 % CI over seeds; one column per dataset. With random walk: solid,
# filled circles; without: dashed, open squares, another colour. One legend, right of the panels.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-3.csv'; out='….png|svg'" figures/figure-3.gp
W = 1300; H = 800
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"
TICK_MIN = 1e-6

VALUES = "last_avg_reward last_action_mean"
LABELS = "avg_reward avg_action"
DATASETS = distinct("dataset", "", "")
ND = words(DATASETS)
vlabel(v) = (v eq "yes") ? "with random walk" : "without random walk"
vdash(v) = (v eq "yes") ? 1 : 2
vpoint(v) = (v eq "yes") ? 7 : 4
TITLE = "Figure 3: LightGCN, G noise: reward and action per episode (last iteration, mean ± 95 % CI over seeds)"

# Series: random walk yes / no, the same colours in every panel.
WALKS = distinct("random_walk", "", "")
NV = words(WALKS)
LEGEND = "for [li = 1:(LEGEND_DONE ? 0 : NV)] keyentry with linespoints lc rgb color(li) dt vdash(word(WALKS, li)) pt vpoint(word(WALKS, li)) ps 0.9 title vlabel(word(WALKS, li))"
sel(ds) = (strcol("dataset") eq ds)

if (ND == 0) {
    set multiplot layout 1, 1 title TITLE margins 0.08, 0.82, 0.09, 0.88
    PANEL_TITLE = "figure-3.csv has no rows (no finished g-rw / g-norw search)"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout 2, ND title TITLE margins 0.08, 0.82, 0.08, 0.88 spacing 0.09, 0.12
    set key at screen 0.835, 0.88
    do for [m = 1:2] {
        value = word(VALUES, m)
        do for [d = 1:ND] {
            ds = word(DATASETS, d)
            if (words(distinct("random_walk", "dataset=" . ds, value . "_mean")) == 0) {
                PANEL_TITLE = ds . " — " . word(LABELS, m)
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . word(LABELS, m)
                set xlabel "episode"
                XSTEP = (words(distinct("episode", "dataset=" . ds, "")) <= 12) ? 1 : 5
                set xtics XSTEP
                set format x "%g"
                set ylabel word(LABELS, m)
                set autoscale
                set autoscale xfix
                stats in using (sel(ds) ? num(value . "_mean") - ci(value . "_ci95") : NaN) name "YL" nooutput
                stats in using (sel(ds) ? num(value . "_mean") + ci(value . "_ci95") : NaN) name "YH" nooutput
                eval axis_ticks("y", YL_min, YH_max)
                set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
                plot for [i = 1:NV] in \
                    using ((sel(ds) && strcol("random_walk") eq word(WALKS, i)) ? column("episode") : NaN) \
                        :(num(value . "_mean")):(ci(value . "_ci95")) \
                    with yerrorlines lc rgb color(i) dt vdash(word(WALKS, i)) pt vpoint(word(WALKS, i)) ps 0.9 notitle, \
                    @LEGEND
                LEGEND_DONE = 1
                set offsets 0, 0, 0, 0
            }
        }
    }
    unset multiplot
}
