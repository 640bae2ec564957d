# Figure 6 (not in the paper): TEST Recall@20 against the achieved sparsity for every method of Table 1,
# one panel per dataset × backbone; filled points P-clean, open points test-selected P-code; bars = 95 % CI
# over seeds of both values.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-6.csv'; out='….png|svg'" figures/figure-6.gp
W = 1400; H = 900
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"

DATASETS = distinct("dataset", "", "")
BACKBONES = distinct("backbone", "", "")
ND = words(DATASETS); NB = words(BACKBONES)
plabel(p) = (p eq "code") ? "test-selected" : "P-clean"
ppoint(p) = (p eq "code") ? 6 : 7
TITLE = "Figure 6: R@20 against achieved sparsity, every method (TEST, mean ± 95 % CI over seeds)"

if (ND * NB == 0) {
    set multiplot layout 1, 1 title TITLE
    PANEL_TITLE = "figure-6.csv has no rows"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout ND, NB title TITLE
    set key inside bottom left opaque font "DejaVu Sans,8" samplen 1.5
    do for [d = 1:ND] {
        ds = word(DATASETS, d)
        do for [b = 1:NB] {
            bb = word(BACKBONES, b)
            FILTER = "dataset=" . ds . ";backbone=" . bb
            METHODS = distinct("method", FILTER, "recall@20_mean")
            PROTOCOLS = distinct("protocol", FILTER, "recall@20_mean")
            NM = words(METHODS); NP = words(PROTOCOLS)
            if (NM * NP == 0) {
                PANEL_TITLE = ds . " — " . bb
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . bb
                set xlabel "achieved sparsity"
                set ylabel "recall@20"
                set format x "%.3f"
                set autoscale
                set yrange [0:*]
                set offsets graph 0.05, graph 0.05, graph 0.05, 0
                plot for [i = 1:NM*NP] in \
                    using ((strcol("dataset") eq ds && strcol("backbone") eq bb \
                            && strcol("method") eq word(METHODS, (i-1)/NP + 1) \
                            && strcol("protocol") eq word(PROTOCOLS, (i-1)%NP + 1)) ? column("achieved_sparsity_mean") : NaN) \
                        :(column("recall@20_mean")):(ci("achieved_sparsity_ci95")):(ci("recall@20_ci95")) \
                    with xyerrorbars lc rgb color((i-1)/NP + 1) pt ppoint(word(PROTOCOLS, (i-1)%NP + 1)) ps 1.0 \
                    title sprintf("%s %s", word(METHODS, (i-1)/NP + 1), plabel(word(PROTOCOLS, (i-1)%NP + 1)))
                set offsets 0, 0, 0, 0
                set format x "%g"
            }
        }
    }
    unset multiplot
}
