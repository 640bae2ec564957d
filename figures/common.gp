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

# Fixed palette, cycled by series index: a dark and a light shade of each hue. The dark shade is the series
# colour (and P-clean's); the light shade is test-selected P-code's, so protocols differ in colour too.
array DARK[10] = ["#1f4e9c", "#b2182b", "#1b7837", "#b35806", "#542788", "#01665e", "#7f3b08", "#333333", "#8e0152", "#5c6b00"]
array LIGHT[10] = ["#6fa8dc", "#f0777a", "#6cc070", "#f5a64a", "#a48ad6", "#4fb8ad", "#c98a5a", "#9a9a9a", "#e377b4", "#b3c43c"]
color(i) = DARK[(i - 1) % 10 + 1]

# Word lists: has(list, w); word_index(list, w) = position of w in list, 0 when absent; ordered(present, order) =
# the words of `present` in the order of `order`, words `order` does not name last (as given).
has(list, w) = (strstrt(" " . list . " ", " " . w . " ") > 0)
word_index(list, w) = has(list, w) ? words((" " . list . " ")[1:strstrt(" " . list . " ", " " . w . " ")]) + 1 : 0
keep_in(order, present, i) = (i > words(order)) ? "" \
    : (has(present, word(order, i)) ? word(order, i) . " " : "") . keep_in(order, present, i + 1)
keep_out(order, present, i) = (i > words(present)) ? "" \
    : (has(order, word(present, i)) ? "" : word(present, i) . " ") . keep_out(order, present, i + 1)
ordered(present, order) = keep_in(order, present, 1) . keep_out(order, present, 1)

# Methods (Figures 6 and 7) and Table 2's CIESS variants (Figure 7, "ciess/<variant>") keep one colour index in
# every figure, whichever of them a CSV holds; others get the grey.
SERIES_ORDER = "ciess pep es mr esapn optembed ciess/g-rw ciess/g-norw ciess/ou-rw ciess/u-rw"
series_color(s) = (word_index(SERIES_ORDER, s) > 0) ? word_index(SERIES_ORDER, s) : 8

# Protocols: P-clean and test-selected (P-code) differ in colour (dark vs light shade of the series' hue), dash type
# (solid vs dashed) and marker (filled circle vs open triangle), so they stay apart in colour, in grey and in print.
plabel(p) = (p eq "code") ? "test-selected (P-code)" : "P-clean"
pcolor(i, p) = (p eq "code") ? LIGHT[(i - 1) % 10 + 1] : DARK[(i - 1) % 10 + 1]
pdash(p) = (p eq "code") ? 2 : 1
ppoint(p) = (p eq "code") ? 8 : 7

# Ticks from a data range [lo, hi]: the finest 1-2-5 step giving at most seven intervals, at least TICK_MIN (the resolution
# of the CSV's numbers, e.g. 1e-4 for metrics written %.4f; 0 = none), and exactly the decimals that step needs
# (0.02 → "%.2f", 0.0005 → "%.4f"), so neighbouring tick labels never repeat and never carry noise digits.
#   eval axis_ticks("y", lo, hi)
TICK_MIN = 0
tick_span(lo, hi) = (hi > lo) ? (hi - lo) : ((abs(hi) > 0) ? 0.2 * abs(hi) : 1.0)
tick_pow(r) = 10.0 ** floor(log10(r))
tick_125(r) = (r <= tick_pow(r)) ? tick_pow(r) : (r <= 2 * tick_pow(r)) ? 2 * tick_pow(r) \
            : (r <= 5 * tick_pow(r)) ? 5 * tick_pow(r) : 10 * tick_pow(r)
tick_step(lo, hi) = (tick_125(tick_span(lo, hi) / 7.0) < TICK_MIN) ? TICK_MIN : tick_125(tick_span(lo, hi) / 7.0)
tick_decimals(s) = (s >= 1) ? 0 : int(ceil(-log10(s) - 1e-9))
axis_ticks(ax, lo, hi) = sprintf("set %stics %.12g; set format %s \"%%.%df\"", \
                                 ax, tick_step(lo, hi), ax, tick_decimals(tick_step(lo, hi)))
# The range [lo, hi] widened by 5 % of its span on both sides (a single value by 10 % of itself, or 1 at 0).
pad_by(lo, hi) = (hi > lo) ? 0.05 * (hi - lo) : ((abs(hi) > 0) ? 0.1 * abs(hi) : 1.0)
pad_lo(lo, hi) = lo - pad_by(lo, hi)
pad_hi(lo, hi) = hi + pad_by(lo, hi)
max(a, b) = (a > b) ? a : b
min(a, b) = (a < b) ? a : b

# One legend per figure, outside the plot area: the figure reserves the right margin (multiplot "margins"), defines
# LEGEND as a plot clause of keyentries that expands to nothing once LEGEND_DONE is set, appends ", @LEGEND" to
# the first panel it draws (data or "no data") and then sets LEGEND_DONE = 1.
LEGEND_DONE = 0
LEGEND_X = 0.805
set key at screen LEGEND_X, 0.88 top left Left reverse noautotitle font "DejaVu Sans,9" samplen 3 spacing 1.25 \
    width 1 noenhanced

# distinct(col, filter, need): the sorted distinct values of column `col` over the rows of `in` whose
# columns match `filter` ("name=value;name=value", may be empty) and whose column `need` is neither
# empty nor NA (`need` may be ""), as a space-separated word list for words()/word().
AWK_DISTINCT = 'NR==1{for(i=1;i<=NF;i++) ix[$i]=i; n=(filt=="")?0:split(filt,fs,";"); next} {ok=1; for(j=1;j<=n;j++){split(fs[j],kv,"="); if(!(kv[1] in ix) || $(ix[kv[1]])!=kv[2]) ok=0}; if(need!=""){v=$(ix[need]); if(v==""||v=="NA") ok=0}; if(ok && (want in ix)) print $(ix[want])}'
distinct(col, filter, need) = system(sprintf("awk -F, -v want='%s' -v filt='%s' -v need='%s' '%s' '%s' | LC_ALL=C sort -u | tr '\n' ' '", col, filter, need, AWK_DISTINCT, in))

# A numeric field, 0 when empty or NA (for CI half-widths of a single seed).
ci(name) = (strcol(name) eq "" || strcol(name) eq "NA") ? 0 : column(name)
# A numeric field, NaN when empty or NA (a missing mean is no point).
num(name) = (strcol(name) eq "" || strcol(name) eq "NA") ? NaN : column(name)

# An empty panel that says so.
NO_DATA_MSG = "no data"
