# Draws one empty panel labelled "no data" (loaded by the figure scripts; not a figure itself).
# Uses PANEL_TITLE when set; draws the figure's legend (LEGEND, see common.gp) when no panel has drawn it yet.
set title (exists("PANEL_TITLE") ? PANEL_TITLE : "")
set label 99 NO_DATA_MSG at graph 0.5, 0.5 center font "DejaVu Sans,14"
unset xlabel
unset ylabel
unset logscale
set xrange [0:1]
set yrange [0:1]
set xtics autofreq
set ytics autofreq
set format x ""
set format y ""
if (exists("LEGEND")) {
    plot 2 notitle, @LEGEND
    LEGEND_DONE = 1
} else {
    plot 2 notitle
}
unset label 99
set autoscale
set format x "%g"
set format y "%.4f"
