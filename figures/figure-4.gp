# Figure 4: λ sensitivity of CIESS on LightGCN: TEST R@20 and N@20 against λ, one curve per target c and
# protocol (solid: P-clean, dashed: test-selected P-code), bars = 95 % CI over seeds; one column per dataset.
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-4.csv'; out='….png|svg'" figures/figure-4.gp
W = 1200; H = 800
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"

BACKBONE = "lightgcn"
METRICS = "recall@20 ndcg@20"
DATASETS = distinct("dataset", "backbone=" . BACKBONE, "")
ND = words(DATASETS)
plabel(p) = (p eq "code") ? "test-selected" : "P-clean"
TITLE = "Figure 4: LightGCN, R@20 and N@20 against λ per c (TEST, mean ± 95 % CI over seeds)"

if (ND == 0) {
    set multiplot layout 1, 1 title TITLE
    PANEL_TITLE = "figure-4.csv has no LightGCN rows"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout 2, ND title TITLE
    set key inside bottom left opaque font "DejaVu Sans,8" samplen 1.5
    do for [m = 1:2] {
        metric = word(METRICS, m)
        do for [d = 1:ND] {
            ds = word(DATASETS, d)
            TARGETS = distinct("target_sparsity", "backbone=" . BACKBONE . ";dataset=" . ds, metric . "_mean")
            PROTOCOLS = distinct("protocol", "backbone=" . BACKBONE . ";dataset=" . ds, metric . "_mean")
            NT = words(TARGETS); NP = words(PROTOCOLS)
            if (NT * NP == 0) {
                PANEL_TITLE = ds . " — " . metric
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . metric
                set xlabel "λ"
                set ylabel metric
                set autoscale
                set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05
                plot for [i = 1:NT*NP] in \
                    using ((strcol("backbone") eq BACKBONE && strcol("dataset") eq ds \
                            && strcol("target_sparsity") eq word(TARGETS, (i-1)/NP + 1) \
                            && strcol("protocol") eq word(PROTOCOLS, (i-1)%NP + 1)) ? column("lambda") : NaN) \
                        :(column(metric . "_mean")):(ci(metric . "_ci95")) \
                    with yerrorlines lc rgb color((i-1)/NP + 1) dt 1 + (i-1)%NP pt 5 + (i-1)/NP ps 0.9 \
                    title sprintf("c=%s %s", word(TARGETS, (i-1)/NP + 1), plabel(word(PROTOCOLS, (i-1)%NP + 1)))
                set offsets 0, 0, 0, 0
            }
        }
    }
    unset multiplot
}
