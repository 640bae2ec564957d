import XCTest
@testable import Linalg

final class BLASKernelTests: XCTestCase {
    func testRequestedKernel() {
        let avx2: Set<String> = ["sse4_2", "avx", "avx2", "fma"]
        XCTAssertEqual(BLASKernel.requested(environment: [:], cpuFlags: avx2), "Haswell", "pinned by default")
        XCTAssertEqual(BLASKernel.requested(environment: ["CIESS_BLAS_CORETYPE": "Sandybridge"], cpuFlags: avx2), "Sandybridge")
        XCTAssertNil(BLASKernel.requested(environment: ["CIESS_BLAS_CORETYPE": "auto"], cpuFlags: avx2))
        XCTAssertNil(BLASKernel.requested(environment: [:], cpuFlags: ["sse4_2", "avx"]), "no AVX2/FMA: Haswell cannot run")
        XCTAssertEqual(BLASKernel.requested(environment: ["CIESS_BLAS_CORETYPE": ""], cpuFlags: avx2), "Haswell")
        // The environment's own OPENBLAS_CORETYPE does not decide: the harness's pin does.
        XCTAssertEqual(BLASKernel.requested(environment: ["OPENBLAS_CORETYPE": "Zen"], cpuFlags: avx2), "Haswell")
    }

    func testLoadedCoreIsNamed() {
        XCTAssertFalse(BLASKernel.loadedCore.isEmpty)
        XCTAssertTrue(BLASKernel.description.hasPrefix("OpenBLAS \(BLASKernel.loadedCore) ("), BLASKernel.description)
    }
}
