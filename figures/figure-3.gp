# Figure 3: CIESS search on LightGCN with Gaussian noise, with and without random walk: the average reward
# (top) and the average action = mean embedding size (bottom) per episode, taken at the episode's last
# iteration (docs/method.md §1.12), mean ± 95 % CI over seeds; one column per dataset.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-3.csv'; out='….png|svg'" figures/figure-3.gp
W = 1200; H = 800
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"

VALUES = "last_avg_reward last_action_mean"
LABELS = "avg_reward avg_action"
DATASETS = distinct("dataset", "", "")
ND = words(DATASETS)
vlabel(v) = (v eq "yes") ? "with random walk" : "without random walk"
TITLE = "Figure 3: LightGCN, G noise: reward and action per episode (last iteration, mean ± 95 % CI over seeds)"

if (ND == 0) {
    set multiplot layout 1, 1 title TITLE
    PANEL_TITLE = "figure-3.csv has no rows (no finished g-rw / g-norw search)"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout 2, ND title TITLE
    set key outside bottom center horizontal font "DejaVu Sans,9"
    do for [m = 1:2] {
        value = word(VALUES, m)
        do for [d = 1:ND] {
            ds = word(DATASETS, d)
            WALKS = distinct("random_walk", "dataset=" . ds, value . "_mean")
            NV = words(WALKS)
            if (NV == 0) {
                PANEL_TITLE = ds . " — " . word(LABELS, m)
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . word(LABELS, m)
                set xlabel "episode"
                XSTEP = (words(distinct("episode", "dataset=" . ds, "")) <= 12) ? 1 : 5
                set xtics XSTEP
                set ylabel word(LABELS, m)
                if (m == 2) { set format y "%.1f" } else { set format y "%.4f" }
                set autoscale
                set offsets 0, graph 0.02, graph 0.05, graph 0.05
                plot for [i = 1:NV] in \
                    using ((strcol("dataset") eq ds && strcol("random_walk") eq word(WALKS, i)) ? column("episode") : NaN) \
                        :(column(value . "_mean")):(ci(value . "_ci95")) \
                    with yerrorlines lc rgb color(i) dt 1 pt 5 + i ps 0.6 title vlabel(word(WALKS, i))
                set offsets 0, 0, 0, 0
                set format y "%.4f"
            }
        }
    }
    unset multiplot
}
