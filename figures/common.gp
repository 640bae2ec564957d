# Shared settings of the figure scripts (loaded by figures/figure-N.gp; not a figure itself).
#
# Every figure script is run as
#   gnuplot -e "in='results/P/figure-N.csv'; out='results/P/figures/figure-N.png'" figures/figure-N.gp
# and reads only the aggregated CSV `in`. The output format follows the extension of `out` (.png or .svg).
# Terminal, font, size, line styles and number formats are pinned so the same CSV gives the same bytes.

if (!exists("in") || !exists("out")) {
    print "usage: gnuplot -e \"in='figure-N.csv'; out='figure-N.png|svg'\" figures/figure-N.gp"
    exit status 2
}

set encoding utf8
set decimalsign '.'
set datafile separator ","
set datafile columnheaders

# Pinned terminals: width W and height H in pixels come from the figure script.
is_svg = (strlen(out) > 4 && out[strlen(out)-3:] eq ".svg")
if (is_svg) {
    set terminal svg size W, H dynamic noenhanced font "DejaVu Sans,11" linewidth 1.2 background "#ffffff"
} else {
    set terminal pngcairo size W, H noenhanced font "DejaVu Sans,11" linewidth 1.2 background "#ffffff" nocrop
}
set output out

set grid lc rgb "#dddddd"
set key top right font "DejaVu Sans,9" samplen 2 spacing 1.1 noenhanced
set format x "%g"
set format y "%.4f"
set tics nomirror

# Fixed palette, cycled by series index.
array COLORS[8] = ["#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#6a4c93", "#00798c", "#8c564b", "#444444"]
color(i) = COLORS[(i - 1) % 8 + 1]

# distinct(col, filter, need): the sorted distinct values of column `col` over the rows of `in` whose
# columns match `filter` ("name=value;name=value", may be empty) and whose column `need` is neither
# empty nor NA (`need` may be ""), as a space-separated word list for words()/word().
AWK_DISTINCT = 'NR==1{for(i=1;i<=NF;i++) ix[$i]=i; n=(filt=="")?0:split(filt,fs,";"); next} {ok=1; for(j=1;j<=n;j++){split(fs[j],kv,"="); if(!(kv[1] in ix) || $(ix[kv[1]])!=kv[2]) ok=0}; if(need!=""){v=$(ix[need]); if(v==""||v=="NA") ok=0}; if(ok && (want in ix)) print $(ix[want])}'
distinct(col, filter, need) = system(sprintf("awk -F, -v want='%s' -v filt='%s' -v need='%s' '%s' '%s' | LC_ALL=C sort -u | tr '\n' ' '", col, filter, need, AWK_DISTINCT, in))

# A numeric field, 0 when empty or NA (for CI half-widths of a single seed).
ci(name) = (strcol(name) eq "" || strcol(name) eq "NA") ? 0 : column(name)

# An empty panel that says so.
NO_DATA_MSG = "no data"
