# Draws one empty panel labelled "no data" (loaded by the figure scripts; not a figure itself).
# Uses PANEL_TITLE when set.
set title (exists("PANEL_TITLE") ? PANEL_TITLE : "")
set label 99 NO_DATA_MSG at graph 0.5, 0.5 center font "DejaVu Sans,14"
unset key
unset xlabel
unset ylabel
set xrange [0:1]
set yrange [0:1]
set format x ""
set format y ""
plot 2 notitle
unset label 99
set key
set autoscale
set format x "%g"
set format y "%.4f"
