/// Which NeuMF tables carry the prefix mask of `EmbeddingSizes` (docs/method.md §2.3, decision D30).
///
/// * `.bothTables` (default, D30): g_n = G_n ⊙ m_n and p_n = P_n ⊙ m_n — the same mask row on the
///   GMF and the MLP table. Both tables then have Σ d_n usable entries out of N·dMax, so the
///   density ρ = Σ d_n / (N·dMax) counted over both tables is the same as `EmbeddingSizes.density`.
/// * `.mlpOnly`: the authors' code — only the MLP table is masked; the GMF table is used at the full
///   width dMax (D33 fixes the width at dMax). An ablation flag only: under this variant the
///   GMF table is dense and `EmbeddingSizes.density` no longer describes the model's usable entries.
public enum NeuMFMasking: String, Sendable, Codable, CaseIterable {
    case bothTables
    case mlpOnly
}
