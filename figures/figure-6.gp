# Figure 6 (not in the paper): TEST Recall@20 against the achieved sparsity for every method of Table 1,
# one panel per dataset × backbone; bars = 95 % CI over seeds of both values. Colour = method (the same in every
# panel and in Figure 7); P-clean is the dark shade with filled circles and solid bars, test-selected P-code the
# light shade with open triangles and dashed bars. One legend, right of the panels. The sparsity axis is the
# data's range, never beyond [0, 1].
# Reads only the aggregated CSV:  gnuplot -e "in='results/P/figure-6.csv'; out='….png|svg'" figures/figure-6.gp
W = 1500; H = 900
here = system("dirname '" . ARG0 . "'")
load here . "/common.gp"

DATASETS = distinct("dataset", "", "")
BACKBONES = distinct("backbone", "", "")
ND = words(DATASETS); NB = words(BACKBONES)
TITLE = "Figure 6: R@20 against achieved sparsity, every method (TEST, mean ± 95 % CI over seeds)"

# Series: every (method, protocol) with a value anywhere, so a method keeps its colour across panels.
METHODS = ordered(distinct("method", "", "recall@20_mean"), SERIES_ORDER)
PROTOCOLS = distinct("protocol", "", "recall@20_mean")
NM = words(METHODS); NP = words(PROTOCOLS); NS = NM * NP
smethod(i) = word(METHODS, (i - 1) / max(NP, 1) + 1)
sprot(i) = word(PROTOCOLS, (i - 1) % max(NP, 1) + 1)
scolor(i) = pcolor(series_color(smethod(i)), sprot(i))
stitle(i) = sprintf("%s %s", smethod(i), plabel(sprot(i)))
LEGEND = "for [li = 1:(LEGEND_DONE ? 0 : NS)] keyentry with points lc rgb scolor(li) pt ppoint(sprot(li)) ps 1.2 title stitle(li)"
sel(ds, bb) = (strcol("dataset") eq ds && strcol("backbone") eq bb)
set key at screen 0.815, 0.88

if (ND * NB == 0) {
    set multiplot layout 1, 1 title TITLE margins 0.06, 0.80, 0.08, 0.88
    PANEL_TITLE = "figure-6.csv has no rows"
    load here . "/no-data-panel.gp"
    unset multiplot
} else {
    set multiplot layout ND, NB title TITLE margins 0.06, 0.80, 0.08, 0.88 spacing 0.065, 0.12
    do for [d = 1:ND] {
        ds = word(DATASETS, d)
        do for [b = 1:NB] {
            bb = word(BACKBONES, b)
            if (words(distinct("method", "dataset=" . ds . ";backbone=" . bb, "recall@20_mean")) == 0) {
                PANEL_TITLE = ds . " — " . bb
                load here . "/no-data-panel.gp"
            } else {
                set title ds . " — " . bb
                set xlabel "achieved sparsity"
                set ylabel "recall@20"
                set autoscale
                stats in using (sel(ds, bb) ? num("achieved_sparsity_mean") - ci("achieved_sparsity_ci95") : NaN) name "XL" nooutput
                stats in using (sel(ds, bb) ? num("achieved_sparsity_mean") + ci("achieved_sparsity_ci95") : NaN) name "XH" nooutput
                stats in using (sel(ds, bb) ? num("recall@20_mean") - ci("recall@20_ci95") : NaN) name "YL" nooutput
                stats in using (sel(ds, bb) ? num("recall@20_mean") + ci("recall@20_ci95") : NaN) name "YH" nooutput
                XLO = max(0, pad_lo(XL_min, XH_max)); XHI = min(1, pad_hi(XL_min, XH_max))
                set xrange [XLO:XHI]
                TICK_MIN = 1e-6
                eval axis_ticks("x", XLO, XHI)
                TICK_MIN = 1e-4
                eval axis_ticks("y", YL_min, YH_max)
                set offsets 0, 0, graph 0.05, graph 0.05
                plot for [i = 1:NS] in \
                    using ((sel(ds, bb) && strcol("method") eq smethod(i) && strcol("protocol") eq sprot(i)) ? column("achieved_sparsity_mean") : NaN) \
                        :(num("recall@20_mean")):(ci("achieved_sparsity_ci95")):(ci("recall@20_ci95")) \
                    with xyerrorbars lc rgb scolor(i) dt pdash(sprot(i)) pt ppoint(sprot(i)) ps 1.2 notitle, \
                    @LEGEND
                LEGEND_DONE = 1
                set offsets 0, 0, 0, 0
            }
        }
    }
    unset multiplot
}
