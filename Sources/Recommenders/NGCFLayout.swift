/// The row layout of NGCF's buffers: `cols` logical columns per block (dMax rounded up to the
/// 32-column SpMM tile), N × cols matrices stored with row stride `x` = cols + 16 and [S | P] with
/// stride `sp` = 2·cols + 16 (S at column 0, P at column `cols`); the 16 extra floats keep row
/// strides off powers of two, so the 128-byte tiles the SpMM gathers from many rows do not all
/// fall into the same few L2 sets. F and ∂L/∂F have stride `f` = 4·cols (block b at b·cols).
struct NGCFLayout: Sendable {
    let cols: Int
    var x: Int { cols + 16 }
    var sp: Int { 2 * cols + 16 }
    var f: Int { 4 * cols }
}
