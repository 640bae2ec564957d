/// The timed iterations of one benchmark figure (seconds) and workload-specific extra values.
public struct WorkloadTiming: Sendable {
    public var times: [Double]
    public var extra: [String: Double]

    public init(times: [Double], extra: [String: Double]) {
        self.times = times
        self.extra = extra
    }
}
